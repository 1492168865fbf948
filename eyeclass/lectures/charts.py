"""The session page's chart data: stored rows binned so that a long session still draws quickly.

Plain numbers in, JSON-ready data out: `Session.series()` runs the queries and `Session.store_results()`
stores the result.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

import numpy as np

from inference.labels import MIX_LABELS

MAX_POINTS = 900  # per series: more points than a chart's width in pixels add nothing but bytes
SHARE_COLUMNS = tuple(f"{label}_share" for label in MIX_LABELS)  # the emotion mix's SecondStat columns
SERIES_COLUMNS = ("second", "engagement", "faces_present", "readable", *SHARE_COLUMNS)  # the SecondStat columns charted


def session_series(
    seconds: Iterable[tuple], tracks: Iterable[tuple], events: Iterable[dict], max_points: int = MAX_POINTS
) -> dict:
    """Everything the session page charts, binned to at most `max_points` per series.

    `seconds`: rows of SERIES_COLUMNS in time order; `tracks`: (track, engagement, timeline, first_time,
    last_time) rows in track order; `events`: expression events as dicts, in onset order (passed through).
    """
    table = np.array(list(seconds), dtype=float).reshape(-1, len(SERIES_COLUMNS))  # None -> nan
    first, last = (int(table[0, 0]), int(table[-1, 0])) if len(table) else (0, 0)
    size = max(1, -(-(last - first + 1) // max_points))  # seconds per bin
    if last // size - first // size + 1 > max_points:  # bins start at multiples of the size
        size += 1
    starts, binned = _bin_rows(table, size)
    return {
        "labels": list(MIX_LABELS),
        "bin_seconds": size,
        "seconds": starts,
        "engagement": binned[1],
        "faces": binned[2],
        "readable": binned[3],
        "emotions": {label: binned[4 + i] for i, label in enumerate(MIX_LABELS)},
        "events": list(events),
        "tracks": [
            {
                "track": track,
                "engagement": engagement,
                "timeline": _bin_timeline(timeline, size),
                "seen": round(last - first, 2),  # seconds on screen: the Students card's rule
            }
            for track, engagement, timeline, first, last in tracks
        ],
    }


def broken_at_gaps(rows: list) -> list:
    """Per-second rows ([second, value, ...], in time order) with an empty row put in after each second
    that the next recorded one does not follow (the student out of sight, a live session paused), so
    that a chart breaks its line there instead of drawing it across, as the session charts do."""
    out = []
    for row, following in zip(rows, [*rows[1:], None]):
        out.append(row)
        if following is not None and following[0] > row[0] + 1:
            out.append([row[0] + 1] + [None] * (len(row) - 1))
    return out


def script_safe_json(data) -> str:
    """JSON that can sit inside <script type="application/json"> (as Django's json_script escapes it)."""
    return json.dumps(data, separators=(",", ":")).translate(
        {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}
    )


def _bin_rows(table: np.ndarray, size: int) -> tuple[list[int], list[list[float | None]]]:
    """Bins of `size` seconds (starting at multiples of it, as track timelines are): each column's mean over
    a bin's rows, ignoring unknowns, None where all are unknown. Where no row was recorded (a live session
    paused, seconds with no analysed frame) one empty bin is put in, so that a chart breaks its line there
    instead of drawing it across. Returns the bins' first seconds and the columns."""
    if not len(table):
        return [], [[] for _ in range(table.shape[1])]
    keys, index = np.unique((table[:, 0] // size).astype(int), return_inverse=True)
    known = ~np.isnan(table)
    counts = np.zeros((len(keys), table.shape[1]))
    sums = np.zeros((len(keys), table.shape[1]))
    np.add.at(counts, index, known)
    np.add.at(sums, index, np.where(known, table, 0.0))
    means = np.where(counts > 0, sums / np.maximum(counts, 1), np.nan).round(4)
    gaps = np.flatnonzero(np.diff(keys) > 1)  # bins after which nothing was recorded for a while
    keys = np.insert(keys, gaps + 1, keys[gaps] + 1)
    means = np.insert(means, gaps + 1, np.nan, axis=0)
    return (keys * size).tolist(), [[None if np.isnan(v) else float(v) for v in column] for column in means.T]


def _bin_timeline(timeline: list, size: int) -> list:
    """A track's [[second, engagement], ...] as the mean of each `size`-second bin it was seen in."""
    if size == 1 or not timeline:
        return timeline
    pairs = np.array([p for p in timeline if p[1] is not None], dtype=float).reshape(-1, 2)
    starts = pairs[:, 0] - pairs[:, 0] % size
    keys, index = np.unique(starts, return_inverse=True)
    means = np.bincount(index, weights=pairs[:, 1]) / np.bincount(index)
    return [[int(k), round(float(m), 4)] for k, m in zip(keys, means)]
