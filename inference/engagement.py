"""Engagement: an explainable per-track and per-class measure, aggregated per second.

For every face record (one track in one analysed frame):
- present: always 1 (the face was found, readable or not);
- facing: looking towards the front: head within |yaw| <= `yaw` and |pitch| <= `pitch` degrees
  (`tuning.FacingConfig`), less when turned both ways (an ellipse, `eyesignals.head_within`), and eyes
  not turned away in the head (|gaze_x| <= `gaze_x`, |gaze_y| <= `gaze_y` half eye widths; a glance up or down,
  lids lowered over a downward look, moves the iris, not the head); unknown without landmarks;
- eyes_closed: from eyesignals (adaptive EAR threshold), unknown with the head beyond the facing
  limits; PERCLOS = fraction of the frames with readable lids that are closed;
- attentive = facing and eyes open (unknown without landmarks).
Engagement of a track over a span = fraction of its known frames that are attentive (0..1).
Per second and class: mean faces present and readable per analysed frame, facing fraction,
PERCLOS, blink count, engagement = mean of the engagement of the tracks with known values in that
second (each student weighs the same), and the emotion mix = the share of the faces read (readable,
head within the facing limits) whose top class (labels.top_label, calibrated) is each emotion, with
"uncertain" its own band; the mean of the 7 probabilities is kept beside it (`emotion_probs`), but
it is not the mix: a calm face read 60% neutral would add its 10% of "angry" to it. Track summaries
add blink rate per minute of readable time. The emotion mix is reported next to the score, not
folded into it, so the score stays explainable; so are the eye-region action units: per second
(class and each track) and per track, the mean of each unit over the readable frames that had units
(a track has none until its calm is known), None when no frame had them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .eyesignals import head_within
from .labels import LABELS, MIX_INDEX, MIX_LABELS, top_label
from .records import AU_NAMES, ActionUnits, FaceRecord, FrameResult, SecondAggregate, TrackSummary
from .tuning import DEFAULT_TUNING, FacingConfig

STUDENT_MIN_SECONDS = 2.0  # a "student" is a track seen this long; shorter ones are passers-by or detector noise


def _mean(total: float, count: int) -> float | None:
    return total / count if count else None


@dataclass
class _Acc:
    """Running sums over face records (constant size)."""

    records: int = 0
    readable: int = 0  # records whose eyes could be read
    known: int = 0  # records with landmarks (facing known)
    facing: int = 0
    lids: int = 0  # records whose lids could be read (closed known)
    closed: int = 0
    attentive: int = 0
    blinks: int = 0
    probs: np.ndarray = field(default_factory=lambda: np.zeros(len(LABELS)))
    probs_n: int = 0
    units: np.ndarray = field(default_factory=lambda: np.zeros(len(AU_NAMES)))
    units_n: int = 0
    tops: np.ndarray = field(default_factory=lambda: np.zeros(len(MIX_LABELS)))  # faces read, by top class

    def add(self, rec: FaceRecord, facing: bool | None) -> None:
        self.records += 1
        self.readable += rec.readable
        sig = rec.signals
        if sig is not None and facing is not None:
            self.known += 1
            self.facing += facing
            self.lids += sig.eyes_closed is not None
            self.closed += bool(sig.eyes_closed)
            self.attentive += facing and not sig.eyes_closed
            self.blinks += sig.blink
        if rec.probs is not None:
            probs = [rec.probs[label] for label in LABELS]
            self.probs += probs
            self.probs_n += 1
            self.tops[MIX_INDEX[top_label(probs)]] += 1
        if rec.readable and sig is not None and sig.units is not None:
            self.units += sig.units.vector(AU_NAMES)
            self.units_n += 1

    @property
    def engagement(self) -> float | None:
        return _mean(self.attentive, self.known)

    def row(self, frames: int) -> np.ndarray:
        """This second's sums of one track, laid out as TRACK_SECOND (faces per analysed frame for the
        first three): what lets the class numbers be made again without some tracks (regroup.py). A
        float32 array: one per track and second is kept for the whole session, so it is kept small."""
        per_frame = [self.records / frames, self.readable / frames, self.known / frames]
        counts = [*per_frame, *(getattr(self, n) for n in TRACK_COUNTS)]
        return np.concatenate([counts, self.tops, self.probs, self.units]).astype(np.float32)

    @property
    def mix(self) -> dict[str, float] | None:
        """Share of the faces read by top class, "uncertain" included (sums to 1)."""
        return dict(zip(MIX_LABELS, (self.tops / self.probs_n).tolist())) if self.probs_n else None

    @property
    def mean_probs(self) -> dict[str, float] | None:
        return dict(zip(LABELS, (self.probs / self.probs_n).tolist())) if self.probs_n else None

    @property
    def mean_units(self) -> ActionUnits | None:
        return ActionUnits(*(self.units / self.units_n).tolist()) if self.units_n else None


@dataclass
class _Second:
    second: int
    frames: int = 0
    readable: int = 0
    cls: _Acc = field(default_factory=_Acc)
    tracks: dict[int, _Acc] = field(default_factory=dict)


@dataclass
class _Track:
    first_time: float
    last_time: float
    readable: int = 0
    acc: _Acc = field(default_factory=_Acc)


class EngagementAggregator:
    def __init__(self, config: FacingConfig = DEFAULT_TUNING.facing) -> None:
        self.config = config
        self._second: _Second | None = None
        self._tracks: dict[int, _Track] = {}

    def facing(self, rec: FaceRecord) -> bool | None:
        sig = rec.signals
        if sig is None or not np.isfinite([sig.yaw, sig.pitch]).all():
            return None
        cfg = self.config
        head = head_within(sig.yaw, sig.pitch, cfg.yaw, cfg.pitch)
        # no iris landmarks (nan, or null once read back from JSON): the head alone decides
        gx, gy = (float("nan") if v is None else v for v in (sig.gaze_x, sig.gaze_y))
        eyes = not (abs(gx) > cfg.gaze_x or abs(gy) > cfg.gaze_y)
        return bool(head and eyes)

    def add(self, frame: FrameResult) -> list[SecondAggregate]:
        """Add one analysed frame (in time order); returns the seconds completed before it."""
        second = int(np.floor(frame.time))
        done = []
        if self._second is not None and second != self._second.second:
            done.append(self._emit(self._second))
            self._second = None
        if self._second is None:
            self._second = _Second(second)
        cur = self._second
        cur.frames += 1
        for rec in frame.faces:
            facing = self.facing(rec)
            cur.cls.add(rec, facing)
            cur.readable += rec.readable
            cur.tracks.setdefault(rec.track, _Acc()).add(rec, facing)
            track = self._tracks.setdefault(rec.track, _Track(rec.time, rec.time))
            track.last_time = rec.time
            track.readable += rec.readable
            track.acc.add(rec, facing)
        return done

    def finish(self) -> list[SecondAggregate]:
        done = [self._emit(self._second)] if self._second is not None else []
        self._second = None
        return done

    def _emit(self, s: _Second) -> SecondAggregate:
        per_track = {str(t): acc.engagement for t, acc in sorted(s.tracks.items())}
        known = [v for v in per_track.values() if v is not None]
        return SecondAggregate(
            second=s.second,
            faces_present=s.cls.records / s.frames,
            readable=s.readable / s.frames,
            facing_fraction=_mean(s.cls.facing, s.cls.known),
            perclos=_mean(s.cls.closed, s.cls.lids),
            blinks=s.cls.blinks,
            engagement=float(np.mean(known)) if known else None,
            emotion_mix=s.cls.mix,
            tracks=per_track,
            emotion_probs=s.cls.mean_probs,
            units=s.cls.mean_units,
            track_units={str(t): acc.mean_units for t, acc in sorted(s.tracks.items()) if acc.units_n},
            oriented=s.cls.known / s.frames,
            track_sums={str(t): acc.row(s.frames) for t, acc in sorted(s.tracks.items())},
        )

    def track_summaries(self, frame_period: float = 0.0) -> list[TrackSummary]:
        return [_summary(tid, t, frame_period) for tid, t in sorted(self._tracks.items())]

    def track_sums(self) -> dict[int, dict]:
        """Each track's running sums, as plain numbers: what `merged_summaries` adds across chunks."""
        return {
            tid: {
                "first_time": t.first_time,
                "last_time": t.last_time,
                "readable": t.readable,
                **{name: getattr(t.acc, name) for name in SUMS},
                "probs": t.acc.probs.tolist(),
                "units": t.acc.units.tolist(),
                "tops": t.acc.tops.tolist(),
            }
            for tid, t in self._tracks.items()
        }


# A track's sums in one second (SecondAggregate.track_sums), in this order: its faces and readable faces
# per analysed frame, the counts, then the faces read by top class, the probability sums, the unit sums.
TRACK_COUNTS = ("known", "facing", "lids", "closed", "attentive", "blinks", "probs_n", "units_n")
TRACK_SECOND = (
    "present",
    "readable",
    "oriented",
    *TRACK_COUNTS,
    *(f"top_{label}" for label in MIX_LABELS),
    *(f"p_{label}" for label in LABELS),
    *AU_NAMES,
)
SUMS = ("records", "known", "facing", "lids", "closed", "attentive", "blinks", "probs_n", "units_n")


def _summary(tid: int, t: _Track, frame_period: float) -> TrackSummary:
    minutes = (t.acc.lids * frame_period) / 60.0  # blinks can only be seen where the lids are read
    on_screen = t.last_time - t.first_time + frame_period
    return TrackSummary(
        track=tid,
        first_time=t.first_time,
        last_time=t.last_time,
        frames=t.acc.records,
        readable_frames=t.readable,
        blinks=t.acc.blinks,
        blink_rate_per_min=t.acc.blinks / minutes if minutes > 0 else None,
        perclos=_mean(t.acc.closed, t.acc.lids),
        facing_fraction=_mean(t.acc.facing, t.acc.known),
        engagement=t.acc.engagement,
        emotion_mix=t.acc.mix,
        emotion_probs=t.acc.mean_probs,
        units=t.acc.mean_units,
        reads_per_second=round(t.readable / on_screen, 3) if on_screen > 0 else None,
    )


def merged_summaries(parts: list[dict[int, dict]], frame_period: float) -> list[TrackSummary]:
    """Track summaries from the sums of several spans (chunks), keyed by the same track ids: the sums
    add up, so the result is what one pass over all the spans would give."""
    merged: dict[int, _Track] = {}
    for part in parts:
        for tid, sums in part.items():
            t = merged.setdefault(int(tid), _Track(sums["first_time"], sums["last_time"]))
            t.first_time, t.last_time = min(t.first_time, sums["first_time"]), max(t.last_time, sums["last_time"])
            t.readable += sums["readable"]
            for name in SUMS:  # parts made before a sum existed lack it
                setattr(t.acc, name, getattr(t.acc, name) + sums.get(name, 0))
            t.acc.probs = t.acc.probs + np.asarray(sums["probs"])
            t.acc.units = t.acc.units + np.asarray(sums.get("units", np.zeros(len(AU_NAMES))))
            t.acc.tops = t.acc.tops + np.asarray(sums.get("tops", np.zeros(len(MIX_LABELS))))
    return [_summary(tid, t, frame_period) for tid, t in sorted(merged.items())]
