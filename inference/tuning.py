"""Every tuned number of the tracking, eye-signal, blink and spotting steps, with its meaning, in one place.

The values are chosen by the labelled-clip protocol, never by looking at one clip: `python -m
inference benchmark LABELS --cv` picks each fold's values from the grid in `inference/lab/tuning_grid.py`
on the other clips, reports the held-out scores, and prints the values chosen on all clips; those are
the defaults here (docs/benchmarks/labelled_clips_cv.md). Numbers that are definitions (a blink lasts
at most 0.5 s) or were measured elsewhere (the head-pose limits, docs/methods.md) say so.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Self

from .records import Record

MAX_BLINK = 0.5  # definition: a closure that ends within this many seconds is a blink, longer is a closure


@dataclass(frozen=True)
class EyeSignalConfig(Record):
    """Eye openness -> closed, blink and wink (inference/eyesignals.py). Ratios are of the track's own
    open level (the 90th percentile of its recent open-eye EAR), so they hold across faces and cameras."""

    window: float = 3.0  # seconds of open-eye history the open level is taken over
    closed_ratio: float = 0.5  # both eyes' mean EAR under this x the open level: closed (tuned)
    reopen_ratio: float = 0.65  # closed eyes open again only above this (hysteresis; tuned)
    wider_ratio: float = 0.8  # the more open eye must be under this too: a wink is not a closure
    max_blink: float = MAX_BLINK  # definition: a closure that ends within this is a blink, longer is a closure
    # a turned head foreshortens the far eye (near 20 degrees the two widths differ as much as a wink's
    # eyes do), so winks are read only nearer frontal; geometry, docs/methods.md
    wink_max_yaw: float = 20.0


@dataclass(frozen=True)
class FacingConfig(Record):
    """When a face counts as facing the front (inference/engagement.py): the head within an ellipse of
    yaw and pitch, and the iris not turned away in the eye (a glance up or down moves the iris, not the
    head). Limits of looking away, so chosen by the looking-away labels of the clips (tuned)."""

    yaw: float = 25.0  # degrees: (yaw / this)^2 + (pitch / `pitch`)^2 <= 1 (tuned)
    pitch: float = 20.0  # degrees (tuned)
    gaze_x: float = 0.3  # iris offset across the eye, in half eye widths (tuned)
    gaze_y: float = 0.08  # iris offset up or down, in half eye widths (tuned)


@dataclass(frozen=True)
class SpotterConfig(Record):
    """The spotter's sizes, thresholds and windows (inference/spotting.py steps; docs/methods.md,
    "Expression spotting"). z is the band change in robust standard deviations of the track's calm noise."""

    size: tuple[int, int] = (12, 24)  # (rows, columns) the band is shrunk to
    baseline: float = 1.0  # seconds of calm frames the baseline band is the median of (tuned)
    noise_window: float = 3.0  # seconds of calm frames the noise level is measured over
    z_on: float = 8.0  # an event opens above this (tuned)
    z_off: float = 3.0  # and lasts while above this (tuned)
    # an event also ends when z falls under this fraction of its apex so far (0: at z_off only) (tuned)
    offset_fraction: float = 0.25
    z_calm: float = 1.0  # after an event, calm again only under this: a fading expression is not a baseline (tuned)
    min_sigma: float = 0.02  # floor of the noise estimate (a perfectly still synthetic band)
    min_frames: int = 3  # consecutive frames above z_on that open an event (tuned)
    min_calm: int = 6  # calm frames needed before anything can be spotted
    # the analysis rate the two counts above mean: a track read at another rate (a live page's 5 fps)
    # needs as many seconds, not as many frames, and at least two frames (None: plain frame counts)
    count_fps: float | None = 10.0  # = inference.options.UPLOAD_FPS, the rate the protocol tuned them at
    max_duration: float = 6.0  # seconds a change may last before it becomes the new baseline (tuned)
    micro_max: float = 0.5  # definition: a micro-expression lasts at most this
    blink_fraction: float = 0.25  # an event this much made of closed-eye frames is a blink, dropped
    max_gap: float = 0.5  # a longer hole in a track restarts its baseline...
    # ...or, where the track's frames come slower (a live page at 2 fps), one longer than this many of its
    # frame periods: one frame lost and half a period of arrival jitter are not a hole (5 fps and up: max_gap)
    gap_periods: float = 2.5
    onset_lookback: float = 2.0  # seconds an onset may reach back over rising frames (z > z_off)
    # the eye-region action units are the spotter's cue beside the band's appearance: z = the larger of
    # the two (the method; False, the band alone, is the ablation the cross-validation reports beside it)
    units: bool = True
    # floor of a unit's noise, in inter-ocular distances: below the calm spread any real face shows
    # (docs/benchmarks/action_units.md), it only keeps a perfectly still synthetic face finite
    min_unit_sigma: float = 0.002
    # a closed-eye frame ends an event under way (then a new one may open after it) (tuned)
    blink_ends: bool = True
    # eyes shut for longer than `max_blink` restart the track's calm, as a hole in the track does (tuned)
    closure_restarts: bool = True
    max_blink: float = MAX_BLINK  # definition, the eye step's: eyes shut for longer were a closure


@dataclass(frozen=True)
class TrackingConfig(Record):
    """Re-linking a track that ended to one that begins near the same place soon after (a student hidden
    by a neighbour, or looking down out of the detector's reach), on a fixed camera (inference/tracking.py)."""

    relink_within: float = 5.0  # seconds since a track was last seen during which it may be re-linked
    relink_distance: float = 0.6  # centres at most this many face sizes apart (a seated student shifts)
    # appearance: Bhattacharyya distance of the faces' running hue/saturation histograms, at most this;
    # keeps a different person who sits down in the same place a new student
    max_appearance: float = 0.45


@dataclass(frozen=True)
class HeadOnlyConfig(Record):
    """Head orientation of faces too small for their eyes (inference/headpose.py). The margins and the
    smallest width were chosen on the scale-down benchmark and the CCTV clip (docs/benchmarks/small_faces.md),
    no labelled clip involved."""

    every: float = 0.5  # seconds between crop-mesh reads of one track's head (each costs a mesh pass)
    hold: float = 1.0  # seconds a reading stands for the track's later frames
    # crop sizes tried in order, in face widths: more context is found more often on real small faces
    margins: tuple[float, ...] = (2.5, 3.5, 5.0)
    min_width: float = 8.0  # px: narrower detections are not read (the mesh finds few, and wrongly)


@dataclass(frozen=True)
class FaceScheduleConfig(Record):
    """When the whole frame is searched for faces, and how tracked faces are followed between searches
    (inference/schedule.py; docs/methods.md, "Faces and landmarks"). Chosen for cost on the classroom
    clips (docs/benchmarks/throughput.md), checked not to change the labelled-clip scores."""

    # seconds between full scans (detector on the full frame and every tile); cuts and an empty room
    # scan at once. Shorter than the tracker's 1.5 s memory, so a face missed while followed is found
    # again by a scan before its track ends
    scan_every: float = 1.0
    # a followed face is looked for in a square this many times its box around its last box (at least
    # the last scan's tile, so the detector sees it at the scale the scan found it): room for a second of
    # head movement, and the context a tile gives a small face
    follow_margin: float = 4.0
    # ...and neighbours' squares are looked in as one square while it is at most this many times the
    # narrowest face in it, so a row of students costs one detector call, not one each (0: never;
    # inference/follow.py); 12 found as many faces but broke a chunk's equality with one pass
    follow_merge: float = 10.0
    # "auto" scan tiles about this many times the smallest face the last scan found (at least 128 px): a
    # 128 px tile holds a 16 px face at that ratio, which the detector finds (as often as at 6x on the
    # room clips' faces); a 4K room of 100 px faces then needs ~50 tiles, not 511
    tile_per_face: float = 8.0
    fine_scan_every: float = 10.0  # ...and every this many seconds (and on cuts) the 128 px tiles again
    # px²: a frame of more pixels than this (a 1080p frame) is scanned in tiles scaled with its size, so
    # a 4K fine scan costs the ~130 detector calls of a 1080p one, not ~540, and finds the faces a 1080p
    # camera of the same room would show (20 px and up at 4K, 10 px at 1080p); its extra pixels still
    # give followed faces' squares and landmark crops their detail. 0: 128 px fine tiles on every frame
    fine_area: float = 1920.0 * 1080.0
    # seconds a face whose landmark pass found nothing (a bowed head, a hand) waits behind the others
    # (3 analysed frames at 10 a second), so it cannot hold the landmark budget
    miss_rest: float = 0.3
    # ...and gets no pass at all for this many seconds, even with passes to spare: at 30 analysed frames a
    # second it is tried again three frames later, as the face step's own retries are
    # (faces.MediaPipeFaces.retry_after), since such passes mostly fail again. Under the shortest gap of
    # frames sampled at 10 a second from a 24-60 fps video (0.08 s, from 25 fps), so uploads' analysis
    # is unchanged
    miss_pause: float = 0.07


@dataclass(frozen=True)
class Tuning(Record):
    """The one config object of the signal steps: what `SessionAnalyzer` reads its tuned numbers from."""

    eyes: EyeSignalConfig = field(default_factory=EyeSignalConfig)
    spotter: SpotterConfig = field(default_factory=SpotterConfig)
    tracking: TrackingConfig = field(default_factory=TrackingConfig)
    heads: HeadOnlyConfig = field(default_factory=HeadOnlyConfig)
    faces: FaceScheduleConfig = field(default_factory=FaceScheduleConfig)
    facing: FacingConfig = field(default_factory=FacingConfig)

    def replace(self, **values) -> Self:
        """A copy with some values changed, named `eyes.closed_ratio` style (or `closed_ratio` where the
        name is unique)."""
        parts: dict[str, dict] = {f.name: {} for f in dataclasses.fields(self)}
        for name, value in values.items():
            part, _, key = name.rpartition(".")
            if not part:
                owners = [p for p in parts if key in {f.name for f in dataclasses.fields(getattr(self, p))}]
                if len(owners) != 1:
                    raise ValueError(f"{key!r} names {'no' if not owners else 'more than one'} tuned value")
                part = owners[0]
            parts[part][key] = value
        return Tuning(**{p: dataclasses.replace(getattr(self, p), **v) for p, v in parts.items()})

    @classmethod
    def from_dict(cls, data: dict) -> Self:
        spotter = dict(data.get("spotter", {}))
        if "size" in spotter:
            spotter["size"] = tuple(spotter["size"])
        heads = dict(data.get("heads", {}))
        if "margins" in heads:
            heads["margins"] = tuple(heads["margins"])
        return cls(
            EyeSignalConfig(**data.get("eyes", {})),
            SpotterConfig(**spotter),
            TrackingConfig(**data.get("tracking", {})),
            HeadOnlyConfig(**heads),
            FaceScheduleConfig(**data.get("faces", {})),
            FacingConfig(**data.get("facing", {})),
        )


DEFAULT_TUNING = Tuning()


@dataclass(frozen=True)
class StillnessConfig(Record):
    """When a track is a still image, not a person (inference/stillness.py; docs/methods.md, "Still
    images"). Measured on the labelled clips' people and on a printed face pasted into real footage
    (docs/benchmarks/stillness.md), not tuned by the benchmark grid."""

    min_seconds: float = 8.0  # a track must be seen this long before it can be called still
    # landmarks' RMS change from the reference, in inter-ocular distances, that counts as a move: above
    # the mesh's jitter on a fixed picture, below a person's drift over a few seconds
    motion_noise: float = 0.02
    max_move_share: float = 0.1  # a still track moves on at most this share of its frames (a glitch of the mesh)
    change_noise: float = 3.0  # mean grey-level difference of consecutive eye bands that counts as a change
    max_change_share: float = 0.2  # a still track's band changes on at most this share of its frames (sensor noise)


DEFAULT_STILLNESS = StillnessConfig()
