"""Small typed records that flow between the analysis steps and out to JSON/CSV.

Every record holds numbers only (boxes, landmarks-derived signals, probabilities) — never face
pixels. `to_dict()` gives plain JSON-serialisable Python (floats rounded to 4 decimals) and
`from_dict()` reads it back into the same records: the typed boundary between inference and the service.
"""

from __future__ import annotations

import functools
import math
import types
import typing
from dataclasses import dataclass, field, fields
from typing import Any, Self

import numpy as np

from .labels import LABELS


def plain(value: Any) -> Any:
    """Turn numpy scalars/arrays, tuples and dataclasses into JSON-ready Python values."""
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return [plain(v) for v in value.tolist()]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return None if not math.isfinite(value) else round(value, 4)
    return value


class Record:
    """Mixin: `to_dict()` over the dataclass fields, skipping those marked `metadata={"skip": True}`, and
    `from_dict()`, its inverse: nested records, boxes, lists, tuples and dicts of them are rebuilt from
    the field types; a key that is not a field is an error, a missing optional field takes its default."""

    def to_dict(self) -> dict:
        return {f.name: plain(getattr(self, f.name)) for f in fields(self) if not f.metadata.get("skip")}  # type: ignore[arg-type]

    def rounded(self) -> Self:
        """This record as it reads back from its JSON: floats to 4 decimals, non-finite ones None."""
        return self.from_dict(self.to_dict())

    @classmethod
    def from_dict(cls, data: dict) -> Self:
        hints = _field_types(cls)
        unknown = sorted(set(data) - set(hints))
        if unknown:
            raise ValueError(f"{cls.__name__} has no field {', '.join(unknown)}")
        return cls(**{name: _typed(hints[name], value) for name, value in data.items()})


@functools.cache
def _field_types(cls: type) -> dict[str, Any]:
    hints = typing.get_type_hints(cls)
    return {f.name: hints[f.name] for f in fields(cls) if not f.metadata.get("skip")}


def _typed(kind: Any, value: Any) -> Any:
    """`value` (as `plain` gave it) as the type `kind` says: records rebuilt, lists and tuples restored."""
    if value is None:
        return None
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in args if a is not type(None)]
        return _typed(options[0], value) if len(options) == 1 else value
    if isinstance(kind, type) and issubclass(kind, Record):
        return kind.from_dict(value)
    if origin is list:
        return [_typed(args[0], v) for v in value]
    if origin is tuple:
        return tuple(_typed(args[0], v) for v in value) if args[-1:] == (Ellipsis,) else tuple(value)
    if origin is dict:
        return {k: _typed(args[1], v) for k, v in value.items()}
    return value


@dataclass(frozen=True)
class Box(Record):
    """Axis-aligned box in frame pixels: top-left corner (x, y), width, height."""

    x: float
    y: float
    w: float
    h: float

    @property
    def center(self) -> tuple[float, float]:
        return (self.x + self.w / 2, self.y + self.h / 2)

    @property
    def area(self) -> float:
        return max(self.w, 0.0) * max(self.h, 0.0)

    def iou(self, other: Box) -> float:
        ix = max(0.0, min(self.x + self.w, other.x + other.w) - max(self.x, other.x))
        iy = max(0.0, min(self.y + self.h, other.y + other.h) - max(self.y, other.y))
        inter = ix * iy
        union = self.area + other.area - inter
        return inter / union if union > 0 else 0.0

    @classmethod
    def from_points(cls, points: np.ndarray) -> Box:
        lo, hi = points[:, :2].min(axis=0), points[:, :2].max(axis=0)
        return cls(float(lo[0]), float(lo[1]), float(hi[0] - lo[0]), float(hi[1] - lo[1]))


@dataclass(slots=True)  # one per second and per track in a second: kept small
class ActionUnits(Record):
    """Eye-region action units: each the change from the track's calm, in inter-ocular distances
    (AU43: the share of the calm lid gap closed). Positive = the action (inference/actionunits.py)."""

    au1: float  # inner brow raiser
    au2: float  # outer brow raiser
    au4: float  # brow lowerer
    au5: float  # upper lid raiser
    au6: float  # cheek raiser
    au7: float  # lid tightener
    au43: float  # eyes closed

    def vector(self, names: tuple[str, ...]) -> np.ndarray:
        return np.array([getattr(self, n) for n in names])


AU_NAMES = ("au1", "au2", "au4", "au5", "au6", "au7", "au43")  # ActionUnits' fields, in their order


@dataclass
class EyeSignals(Record):
    """Per-face eye and head signals (see eyesignals.py for definitions and units)."""

    openness_left: float  # eye aspect ratio of the eye on the image's left side
    openness_right: float
    eyes_closed: bool | None  # both eyes below the track's adaptive closed threshold; None: head too turned to tell
    blink: bool  # a short closure (<= max blink duration) ended on this frame
    yaw: float  # degrees, + = face turned towards the image's right
    pitch: float  # degrees, + = face tilted up
    roll: float  # degrees, + = eye line rotated clockwise in the image
    gaze_x: float  # iris offset in the eye, -1 (image left) .. +1 (image right)
    gaze_y: float  # -1 (up) .. +1 (down)
    wink: bool = False  # one eye shut while the other stays open
    units: ActionUnits | None = None  # eye-region action units; None until the track has a calm level


@dataclass
class FaceRecord(Record):
    """One face in one analysed frame: what the CSV/JSON `frames` list holds."""

    frame: int
    time: float
    track: int
    box: Box
    score: float
    inter_ocular: float  # pixels between eye centres in the frame
    eye_boxes: list[Box] = field(default_factory=list)
    signals: EyeSignals | None = None
    probs: dict[str, float] | None = None  # label -> probability, None when eyes unreadable
    top: str | None = None
    flags: list[str] = field(default_factory=list)

    @property
    def readable(self) -> bool:
        return "eyes_unreadable" not in self.flags


@dataclass
class FrameResult(Record):
    """Everything the pipeline knows about one analysed frame once it is complete."""

    frame: int
    time: float
    faces: list[FaceRecord] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)  # spotting events that closed at this frame
    image: np.ndarray | None = field(default=None, repr=False, metadata={"skip": True})


@dataclass
class Event(Record):
    """A spotted expression change on one track (times in seconds, frames as analysed indices)."""

    track: int
    onset: float
    apex: float
    offset: float
    duration: float
    onset_frame: int | None  # None in an event read back from storage, which keeps times only
    apex_frame: int | None
    offset_frame: int | None
    kind: str  # "micro" (<= 0.5 s) or "macro"
    label: str | None  # emotion whose probability rose most at the apex, if classified
    strength: float  # peak change in robust z units against the rolling baseline
    cue: str = "appearance"  # "appearance": the eye band changed; "wink": one eye shut, the other open
    actions: list[str] = field(default_factory=list)  # action units that moved at the apex ("AU1", "AU6")


@dataclass
class TrackSummary(Record):
    track: int
    first_time: float
    last_time: float
    frames: int
    readable_frames: int
    blinks: int
    blink_rate_per_min: float | None
    perclos: float | None
    facing_fraction: float | None
    engagement: float | None
    emotion_mix: dict[str, float] | None  # share of its read faces by top class, MIX_LABELS ("uncertain" too)
    emotion_probs: dict[str, float] | None = None  # mean of the 7 probabilities over the same faces
    units: ActionUnits | None = None  # mean over the track's readable frames with units
    still: bool = False  # behaved like a still image (a poster, a photo): not a student (stillness.py)
    # readable frames per second on screen: how often its eyes were read (a full room takes turns)
    reads_per_second: float | None = None


@dataclass
class SecondAggregate(Record):
    """Per-second, per-class aggregate (see engagement.py)."""

    second: int
    faces_present: float  # mean faces per analysed frame in this second
    readable: float  # mean faces with readable eyes per analysed frame
    facing_fraction: float | None
    perclos: float | None
    blinks: int
    engagement: float | None
    emotion_mix: dict[str, float] | None  # share of the read faces by top class, MIX_LABELS ("uncertain" too)
    tracks: dict[str, float | None] = field(default_factory=dict)  # track id -> engagement
    emotion_probs: dict[str, float] | None = None  # mean of the 7 probabilities over the same faces
    units: ActionUnits | None = None  # mean over readable faces with units; None when no face had them
    track_units: dict[str, ActionUnits] = field(default_factory=dict)  # track id -> its mean, tracks with units
    # mean faces whose head orientation is known per analysed frame (readable eyes, or the head only)
    oriented: float = 0.0
    # track id -> its sums in this second (engagement.TRACK_SECOND): the class numbers without a track;
    # a float32 array while analysing, a list once read back from JSON
    track_sums: dict[str, list[float]] = field(default_factory=dict)


@dataclass
class Readability(Record):
    """How readable a session's faces were, and why not (counted by readability.ReadabilityCounter)."""

    analysed_frames: int
    face_records: int
    readable_records: int
    faces_per_frame: float  # mean faces present per analysed frame
    readable_per_frame: float  # mean faces with readable eyes per analysed frame
    small_face: int  # records whose eyes are too close together in the image to read
    no_landmarks: int  # records big enough whose landmarks were not found (turned, blurred, covered)
    turned_away: int  # readable records facing away (the engagement step's facing rule)
    head_turned: int  # readable records with the head too turned or bowed for emotions to be read
    small_face_inter_ocular: dict[str, float] | None  # p10 / median / p90 px of the small faces
    min_inter_ocular: float  # px the eyes need
    summary: str  # one sentence for the teacher
    head_only: int = 0  # small-face records whose head orientation was read (facing known, eyes not)


@dataclass
class AnalysisResult(Record):
    video: dict[str, Any]
    options: dict[str, Any]
    tracks: list[TrackSummary]
    frames: list[FaceRecord]
    events: list[Event]
    seconds: list[SecondAggregate]
    readability: Readability | None = None  # how many faces could be read, and why not
    labels: tuple[str, ...] = LABELS
