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
    size = max(1, -(-len(table) // max_points))  # seconds per bin
    binned = _bin_rows(table, size)
    return {
        "labels": list(MIX_LABELS),
        "bin_seconds": size,
        "seconds": table[::size, 0].astype(int).tolist(),
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


def script_safe_json(data) -> str:
    """JSON that can sit inside <script type="application/json"> (as Django's json_script escapes it)."""
    return json.dumps(data, separators=(",", ":")).translate(
        {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}
    )


def _bin_rows(table: np.ndarray, size: int) -> list[list[float | None]]:
    """Mean of each column over consecutive groups of `size` rows, ignoring unknowns; None where all unknown."""
    pad = (-len(table)) % size
    padded = np.vstack([table, np.full((pad, table.shape[1]), np.nan)]) if pad else table
    groups = padded.reshape(-1, size, table.shape[1])
    counts = np.sum(~np.isnan(groups), axis=1)
    means = np.where(counts > 0, np.nansum(groups, axis=1) / np.maximum(counts, 1), np.nan).round(4)
    return [[None if np.isnan(v) else float(v) for v in column] for column in means.T]


def _bin_timeline(timeline: list, size: int) -> list:
    """A track's [[second, engagement], ...] as the mean of each `size`-second bin it was seen in."""
    if size == 1 or not timeline:
        return timeline
    pairs = np.array([p for p in timeline if p[1] is not None], dtype=float).reshape(-1, 2)
    starts = pairs[:, 0] - pairs[:, 0] % size
    keys, index = np.unique(starts, return_inverse=True)
    means = np.bincount(index, weights=pairs[:, 1]) / np.bincount(index)
    return [[int(k), round(float(m), 4)] for k, m in zip(keys, means)]
