"""What a session's numbers say as a whole: its summary (means, students, events, attention dips,
how much could be read) and whether that is enough to show numbers at all. The service stores the
summary with the session and shows it; `python -m inference analyze` writes the same in its JSON."""

from __future__ import annotations

import numpy as np

from .engagement import STUDENT_MIN_SECONDS
from .labels import LABELS, MIX_LABELS

READABLE_SECOND = 0.5  # a second counts as read when at least this many faces were read on average
ENOUGH_READABLE_SECONDS = 10  # below this, a session's cards say "not enough data" instead of a number
DIP_WINDOW_S = 5  # smoothing window for the engagement curve
DIP_RATIO = 0.8  # a dip is below this fraction of the session's mean engagement...
DIP_MIN_S = 5  # ...for at least this many consecutive seconds
MAX_DIPS = 5
# What a session with too few read seconds withholds, on every page, export and the API: every number
# read from the faces. Faces present, readable seconds and students are counts, and stay. A second is
# read when enough faces had their head orientation known (their eyes, or the head alone for faces too
# small for eyes): attention needs no more. What only the eyes give (EYE_ONLY) needs readable eyes too.
WITHHELD = ("engagement", "emotions", "probabilities", "dominant", "peak", "micro_events", "macro_events", "dips")
EYE_ONLY = ("emotions", "probabilities", "dominant", "peak", "micro_events", "macro_events")
WITHHELD_REASON = "not enough readable faces"


def _mean(values) -> float | None:
    values = [v for v in values if v is not None]
    return round(float(np.mean(values)), 4) if values else None


def attention_dips(seconds: list[int], engagement: list[float | None]) -> list[dict]:
    """Runs of low smoothed engagement, lowest first, at most MAX_DIPS, then sorted by time."""
    known = [(s, e) for s, e in zip(seconds, engagement) if e is not None]
    if len(known) < DIP_MIN_S:
        return []
    secs = np.array([s for s, _ in known])
    values = np.array([e for _, e in known], dtype=float)
    kernel = np.ones(min(DIP_WINDOW_S, len(values))) / min(DIP_WINDOW_S, len(values))
    smooth = np.convolve(values, kernel, mode="same")
    low = smooth < DIP_RATIO * values.mean()
    dips, start = [], None
    for i, is_low in enumerate([*low, False]):
        if is_low and start is None:
            start = i
        elif not is_low and start is not None:
            if secs[i - 1] - secs[start] + 1 >= DIP_MIN_S:
                dips.append(
                    {
                        "start": int(secs[start]),
                        "end": int(secs[i - 1]),
                        "engagement": round(float(smooth[start:i].min()), 4),
                    }
                )
            start = None
    dips = sorted(dips, key=lambda d: d["engagement"])[:MAX_DIPS]
    return sorted(dips, key=lambda d: d["start"])


def summarize(result: dict) -> dict:
    """The summary of an analysis result (an AnalysisResult as a dict)."""
    seconds = result.get("seconds", [])
    mixes = [s.get("emotion_mix") for s in seconds if s.get("emotion_mix")]
    emotions = {label: _mean(m.get(label) for m in mixes) for label in MIX_LABELS} if mixes else {}
    probs = [s.get("emotion_probs") for s in seconds if s.get("emotion_probs")]
    ranked = sorted((v, k) for k, v in emotions.items() if v)[::-1]
    events = result.get("events", [])
    return {
        "engagement": _mean(s.get("engagement") for s in seconds),
        "emotions": emotions,  # the mix: share of the faces read by top class ("uncertain" too)
        "probabilities": {label: _mean(p.get(label) for p in probs) for label in LABELS} if probs else {},
        "dominant": [label for _, label in ranked[:2]],
        "faces": _mean(s.get("faces_present") for s in seconds),
        "readable": _mean(s.get("readable") for s in seconds),
        "tracks": len(result.get("tracks", [])),
        "students": sum(1 for t in result.get("tracks", []) if t["last_time"] - t["first_time"] >= STUDENT_MIN_SECONDS),
        "micro_events": sum(1 for e in events if e.get("kind") == "micro"),
        "macro_events": sum(1 for e in events if e.get("kind") == "macro"),
        "dips": attention_dips([s["second"] for s in seconds], [s.get("engagement") for s in seconds]),
        "seconds": len(seconds),
        "readable_seconds": sum(1 for s in seconds if (s.get("readable") or 0) >= READABLE_SECOND),
        # seconds whose faces' head orientation was known (eyes or head only); None in older results
        "oriented_seconds": (
            sum(1 for s in seconds if (s.get("oriented") or 0) >= READABLE_SECOND)
            if any("oriented" in s for s in seconds)
            else None
        ),
        "readability": result.get("readability"),  # None for results analysed before it existed
    }


def confidence(summary: dict, readable_seconds: int | None = None) -> dict:
    """How much of the session could be read, and whether that is enough to show numbers.
    `readable_seconds` stands in for a summary made before it counted them."""
    seconds = summary.get("seconds") or 0
    eyes = summary.get("readable_seconds")
    eyes = (readable_seconds or 0) if eyes is None else eyes
    oriented = summary.get("oriented_seconds")
    readable = eyes if oriented is None else max(oriented, eyes)
    enough = readable >= ENOUGH_READABLE_SECONDS
    reason = (summary.get("readability") or {}).get("summary") or ""
    if not summary.get("faces"):
        reason = "No face was found in this recording."
    elif not enough and seconds < ENOUGH_READABLE_SECONDS:
        # a short clip fails the rule however well it was read: say so rather than blame the eyes
        short = f"The recording is {seconds} s long: numbers need at least {ENOUGH_READABLE_SECONDS} readable seconds."
        reason = f"{short} {reason}".strip()
    elif not enough and seconds and readable >= seconds / 2:
        reason = f"Most of it could be read, but that is only {readable} s: numbers need {ENOUGH_READABLE_SECONDS}."
    elif not enough and not reason:
        reason = "Faces were present, but their eyes were mostly too small, turned away or covered to read."
    share = readable / seconds if seconds else 0.0
    faces, readable_faces = summary.get("faces") or 0.0, summary.get("readable") or 0.0
    return {
        "seconds": seconds,
        "readable_seconds": readable,
        "eyes_seconds": eyes,
        "share": share,
        "faces": summary.get("faces"),
        "readable": summary.get("readable"),
        "enough": enough,
        "eyes_enough": eyes >= ENOUGH_READABLE_SECONDS,  # emotions and expression events need readable eyes
        # attention measured from the head alone for most of the read seconds (a room camera's small faces)
        "facing_only": enough and eyes < readable / 2,
        "reason": reason,
        # numbers that stand for part of the class only: few readable seconds, or most faces unread
        "partial": share < 0.8 or readable_faces < 0.5 * faces,
        "minimum": ENOUGH_READABLE_SECONDS,
    }


def shown(summary: dict, enough: bool, eyes: bool = True) -> dict:
    """The summary as it may be shown anywhere: with `enough` False (see `confidence`) every WITHHELD
    number is None, and `withheld` says so; pages show it as withheld, charts leave it out. With `eyes`
    False (attention read from heads only), the EYE_ONLY numbers are withheld (`eyes_withheld`)."""
    if not enough:
        return {**summary, **dict.fromkeys(WITHHELD), "withheld": True, "eyes_withheld": True}
    if not eyes:
        return {**summary, **dict.fromkeys(EYE_ONLY), "withheld": False, "eyes_withheld": True}
    return {**summary, "withheld": False, "eyes_withheld": False}
