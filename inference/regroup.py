"""The class numbers of each second made again without some tracks (a poster, a track the teacher left
out), from the per-track sums every second keeps (`SecondAggregate.track_sums`, engagement.TRACK_SECOND).

The sums add up to the class's own running sums, so leaving nothing out gives the numbers the
aggregator gave (to the 4 decimals stored); no frame is read again. Seconds stored before the sums
were kept cannot be regrouped and come back unchanged.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from .engagement import TRACK_SECOND
from .labels import LABELS, MIX_LABELS
from .records import ActionUnits, SecondAggregate

_AT = {name: i for i, name in enumerate(TRACK_SECOND)}
_TOPS = slice(_AT[f"top_{MIX_LABELS[0]}"], _AT[f"top_{MIX_LABELS[-1]}"] + 1)
_PROBS = slice(_AT[f"p_{LABELS[0]}"], _AT[f"p_{LABELS[-1]}"] + 1)
_UNITS = slice(_AT["au1"], len(TRACK_SECOND))


def _ratio(total: float, count: float) -> float | None:
    return float(total / count) if count else None


def regroup(second: SecondAggregate, leave_out: set[int]) -> SecondAggregate:
    """`second` with its class numbers from the sums of the tracks not in `leave_out`; the per-track
    sums themselves are all kept, so a track left out can be brought back."""
    if not second.track_sums:
        return second
    kept = {t: np.asarray(row, dtype=float) for t, row in second.track_sums.items() if int(t) not in leave_out}
    sums = np.sum(list(kept.values()), axis=0) if kept else np.zeros(len(TRACK_SECOND))
    engagements = [_ratio(row[_AT["attentive"]], row[_AT["known"]]) for row in kept.values()]
    engagements = [e for e in engagements if e is not None]
    read = sums[_AT["probs_n"]]
    return dataclasses.replace(
        second,
        faces_present=float(sums[_AT["present"]]),
        readable=float(sums[_AT["readable"]]),
        oriented=float(sums[_AT["oriented"]]),
        facing_fraction=_ratio(sums[_AT["facing"]], sums[_AT["known"]]),
        perclos=_ratio(sums[_AT["closed"]], sums[_AT["lids"]]),
        blinks=int(round(sums[_AT["blinks"]])),
        engagement=float(np.mean(engagements)) if engagements else None,
        emotion_mix=dict(zip(MIX_LABELS, (sums[_TOPS] / read).tolist())) if read else None,
        emotion_probs=dict(zip(LABELS, (sums[_PROBS] / read).tolist())) if read else None,
        units=ActionUnits(*(sums[_UNITS] / sums[_AT["units_n"]]).tolist()) if sums[_AT["units_n"]] else None,
        tracks={t: v for t, v in second.tracks.items() if t in kept},
        track_units={t: v for t, v in second.track_units.items() if t in kept},
    )


def leave_out(seconds: list[SecondAggregate], tracks: set[int]) -> list[SecondAggregate]:
    """Every second without `tracks` (see `regroup`)."""
    return [regroup(s, tracks) for s in seconds]


def without_emotion_sums(row: list[float]) -> list[float]:
    """A track's sums in one second with the emotion parts (faces read by class, probabilities) zero."""
    out = list(row)
    out[_AT["probs_n"]] = 0
    out[_TOPS] = [0.0] * (_TOPS.stop - _TOPS.start)
    out[_PROBS] = [0.0] * (_PROBS.stop - _PROBS.start)
    return out
