"""Emotions off: an analysis result with no emotion field at all.

With `AnalysisOptions.emotions` False the eye CNN never runs, so the emotion fields are empty (None,
{}); a deployment where emotion inference is not allowed drops even the empty keys, so that no JSON,
CSV or message names an emotion. Eye signals, blinks, attention, engagement, events' timing, cue and
action units stay.
"""

from __future__ import annotations

from .regroup import without_emotion_sums

FACE_KEYS = ("probs", "top")  # a FaceRecord's class probabilities and most likely class
EVENT_KEYS = ("label",)  # the emotion whose probability rose most at an event's apex
MIX_KEYS = ("emotion_mix", "emotion_probs", "dominant")  # per-second and per-track mixes, mean probabilities, top class
SUMMARY_KEYS = ("emotions", "probabilities", "dominant", "peak")  # "peak": a brief emotion (glance.py)
RESULT_KEYS = ("labels",)  # the class names


def _drop(row: dict, keys: tuple[str, ...]) -> dict:
    return {k: v for k, v in row.items() if k not in keys}


def face_without_emotions(face: dict) -> dict:
    return _drop(face, FACE_KEYS)


def event_without_emotions(event: dict) -> dict:
    return _drop(event, EVENT_KEYS)


def mix_free(row: dict) -> dict:
    """A per-second or per-track row without its emotion mix (a second's per-track sums keep their
    place for each emotion, at zero)."""
    return _sums_free(_drop(row, MIX_KEYS))


def _sums_free(row: dict) -> dict:
    if not row.get("track_sums"):
        return row
    return {**row, "track_sums": {t: without_emotion_sums(v) for t, v in row["track_sums"].items()}}


def summary_without_emotions(summary: dict) -> dict:
    return _drop(summary, SUMMARY_KEYS)


def without_emotions(result: dict) -> dict:
    """An AnalysisResult as a dict (or the summary-bearing dicts the service stores) without emotions."""
    out = _drop(result, RESULT_KEYS + SUMMARY_KEYS)
    for key, strip in (
        ("frames", face_without_emotions),
        ("events", event_without_emotions),
        ("seconds", mix_free),
        ("tracks", mix_free),
    ):
        if key in result:
            out[key] = [strip(row) for row in result[key]]
    return out


def emptied(result: dict) -> dict:
    """An AnalysisResult as a dict with every emotion field present but empty (None), so it still reads
    back as the typed record; what the worker gives with the CNN off."""
    out = dict(result)
    for key, keys in (("frames", FACE_KEYS), ("events", EVENT_KEYS), ("seconds", MIX_KEYS), ("tracks", MIX_KEYS)):
        if key in result:
            out[key] = [_sums_free({k: (None if k in keys else v) for k, v in row.items()}) for row in result[key]]
    return out
