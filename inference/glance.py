"""The lesson at a glance: one sentence from a session's stored numbers, and the moments worth a look.

Plain data in (the summary as `summary.shown` gives it, so withheld numbers are already None, the
duration, the per-second emotion mix), words out: "Attention held at 0.8 for most of the 45 minutes,
dipped twice — at 12:10 for 3 min and at 31:40 for 5 min; 14 students; mostly neutral, brief surprise
around 20:05." With emotions off (`emotions=False`, or no mix in the summary) no emotion word appears.
The trade-off: one sentence names at most the dips the summary keeps and one brief emotion; the
moments list beside it has the rest.
"""

from __future__ import annotations

import numpy as np

PEAK_WINDOW_S = 5  # seconds the emotion mix is smoothed over before its peak is looked for
PEAK_SHARE = 0.3  # a brief emotion fills at least this share of the faces read, smoothed...
PEAK_OVER_MEAN = 0.2  # ...and at least this much more than its share over the whole lesson
QUIET = ("neutral", "uncertain")  # not named as a brief emotion: the lesson's calm
MOST_OF = 0.5  # attention "held ... for most of" the lesson when dips cover less than this share
COUNTS = {1: "once", 2: "twice"}


def clock(seconds: float) -> str:
    """m:ss, or h:mm:ss from an hour (as the pages write times)."""
    total = int(round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def span(seconds: float) -> str:
    """A length in words: "40 s", "3 min", "1 h 5 min"."""
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes = int(round(seconds / 60))
    return f"{minutes} min" if minutes < 60 else f"{minutes // 60} h {minutes % 60} min".replace(" 0 min", "")


def lesson_length(seconds: float) -> str:
    """ "the 45 minutes", "the 40 seconds" """
    seconds = int(round(seconds))
    if seconds < 90:
        return f"the {seconds} second{'s' if seconds != 1 else ''}"
    minutes = int(round(seconds / 60))
    return f"the {minutes} minutes" if minutes < 120 else f"the {minutes / 60:.1f} hours"


def emotion_peak(seconds: list[int], mixes: list[dict | None]) -> tuple[str, int] | None:
    """The emotion (not neutral or uncertain) that rose furthest above its lesson share for a few
    seconds, and the second it peaked: None when none filled PEAK_SHARE of the faces read."""
    known = [(s, m) for s, m in zip(seconds, mixes) if m]
    if len(known) < PEAK_WINDOW_S:
        return None
    best = None
    for label in {k for _, m in known for k in m} - set(QUIET):
        values = np.array([m.get(label) or 0.0 for _, m in known])
        smooth = np.convolve(values, np.ones(PEAK_WINDOW_S) / PEAK_WINDOW_S, mode="same")
        at = int(np.argmax(smooth))
        rise = smooth[at] - values.mean()
        if smooth[at] >= PEAK_SHARE and rise >= PEAK_OVER_MEAN and (best is None or rise > best[0]):
            best = (rise, label, known[at][0])
    return None if best is None else (best[1], best[2])


def _dips(dips: list[dict], duration: float, engagement: float) -> tuple[str, float]:
    """The dips clause and the share of the lesson they cover."""
    if not dips:
        return "with no sustained dip", 0.0
    lengths = [d["end"] - d["start"] + 1 for d in dips]
    times = COUNTS.get(len(dips), f"{len(dips)} times")
    at = [f"at {clock(d['start'])} for {span(n)}" for d, n in zip(dips, lengths)]
    listed = at[0] if len(at) == 1 else ", ".join(at[:-1]) + " and " + at[-1]
    return f"dipped {times} — {listed}", sum(lengths) / max(duration, 1.0)


def lesson_sentence(figures: dict, duration: float, peak: tuple[str, int] | None = None, emotions: bool = True) -> str:
    """One sentence for the top of the session page (see the module docstring). `figures` is the
    summary as shown (`inference.summary.shown`); `peak` from `emotion_peak`."""
    students = figures.get("students") or 0
    who = f"{students} student{'s' if students != 1 else ''}"
    if figures.get("withheld"):
        return f"Not enough could be read to say how the lesson went; {who}."
    engagement = figures.get("engagement")
    if engagement is None:
        return f"Attention could not be measured: no face was read facing the camera; {who}."
    dips, covered = _dips(figures.get("dips") or [], duration, engagement)
    held = "for most of" if covered < MOST_OF else "over"
    parts = [f"Attention held at {engagement:.1f} {held} {lesson_length(duration)}, {dips}", who]
    dominant = (figures.get("dominant") or [None])[0] if emotions and figures.get("emotions") else None
    if dominant is not None:
        feeling = "emotions mostly hard to read" if dominant == "uncertain" else f"mostly {dominant}"
        if peak is not None and peak[0] != dominant:
            feeling += f", brief {peak[0]} around {clock(peak[1])}"
        parts.append(feeling)
    return "; ".join(parts) + "."
