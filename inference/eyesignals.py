"""Eye openness, blinks, head pose and gaze from Face Mesh landmarks (numbers only).

- Openness: eye aspect ratio (EAR, Soukupova & Cech 2016) per eye: mean of the two vertical lid
  distances over the corner-to-corner width (falls towards zero as the lids close), measured on the
  mesh in 3D: in the image a head turn shortens the width and a nod the lid gap, and the far eye of
  a turned head would read as wide open.
- Lids are read only with the head `frontal`: within `max_yaw` / `max_pitch` of frontal, less when
  turned both ways (`head_within`, the engagement step's facing limits). Beyond them the camera
  sees the lids from the side or from above: lids lowered over a downward look (a student reading)
  reach the closure threshold with the eyes open, and the far eye's landmarks are guesses. Such
  frames say nothing about closure (`eyes_closed` None, no blink or wink) and teach nothing about
  the open level; the face counts as looking away there anyway. The pipeline reads expressions
  within the same limits.
- Closed / blink: per track, the "open level" is the 90th percentile of the mean EAR over the last
  `window` seconds of frames read as open (so a long closure does not lower it); the eyes close when
  the mean EAR falls under `closed_ratio` x that level while the more open eye is under `wider_ratio`
  x it (a wink is not a closure), and reopen only above `reopen_ratio` x it (lids hovering near the
  threshold, as in a downward look, do not flicker into blinks). One eye under `closed_ratio` x the
  level while the other stays over `wider_ratio` x it is a wink, read only with the head within
  `wink_max_yaw` of frontal: a wink compares the two eyes, and a turned head foreshortens the far eye
  (around 20 degrees the width ratio of the two eyes nears the wink contrast, 0.6 / 0.8), so a head
  turn alone would read as one eye closing. A closure that ends within
  `max_blink` s counts as a blink (flagged on the re-opening frame); longer ones are only
  eyes_closed time (PERCLOS). A closure that begins within `max_blink` s of a wink is the end of the
  wink (the other eye often follows), not a blink: the spotter reads the two as one wink.
- Head pose from the mesh's 3D landmarks (z in pixel units): roll = angle of the outer-eye-corner
  line in the image; yaw = its depth slope (atan2(dz, dx)); pitch = depth slope of the chin ->
  forehead line, minus the slope of a frontal face (`PITCH_NEUTRAL`, see docs/methods.md).
- Eye-region action units (brows, lids, cheeks) per track against its calm: inference/actionunits.py.
- Gaze: iris centre offset from the eye-corner midpoint, along the corner line (x) and across it
  (y, minus the frontal offset), in units of half the eye width, averaged over both eyes.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field

import numpy as np

from .actionunits import ActionUnitEstimator
from .faces import IRIS_IMG_LEFT, IRIS_IMG_RIGHT
from .records import EyeSignals
from .tuning import DEFAULT_TUNING, EyeSignalConfig

# EAR points (p1..p6): corner, upper, upper, corner, lower, lower.
EAR_IMG_LEFT = (33, 160, 158, 133, 153, 144)
EAR_IMG_RIGHT = (362, 385, 387, 263, 373, 380)
OUTER_CORNERS = (33, 263)  # image-left eye's outer corner, image-right eye's outer corner
CHIN, FOREHEAD = 152, 10
# Frontal offsets: what a face looking straight at the camera reads, so that frontal is zero;
# measured on FER2013 faces, which are frontal on average (docs/methods.md, "Eye signals").
PITCH_NEUTRAL = -8.0  # degrees
GAZE_Y_NEUTRAL = -0.10  # the iris sits slightly above the corner line when looking straight
DEFAULT_OPEN_EAR = 0.28  # a typical open eye, until a track has enough history of its own
# Head pose limits (|yaw|, |pitch|, degrees) for reading the eye region; engagement's facing rule uses
# the same, so a face whose eyes are not read is never counted as facing either.
MAX_YAW, MAX_PITCH = 30.0, 25.0


def head_within(yaw: float, pitch: float, max_yaw: float = MAX_YAW, max_pitch: float = MAX_PITCH) -> bool:
    """The head turned at most `max_yaw` sideways and `max_pitch` up or down, and less when turned both
    ways at once (an ellipse): what hides the eyes is the angle off the camera axis, which combines the
    two (30 and 25 degrees together are 38 degrees off it)."""
    return (yaw / max_yaw) ** 2 + (pitch / max_pitch) ** 2 <= 1.0


def eye_aspect_ratio(landmarks: np.ndarray, idx: tuple[int, ...]) -> float:
    p = landmarks[list(idx)]
    width = np.linalg.norm(p[0] - p[3])
    if width <= 1e-6:
        return float("nan")
    return float((np.linalg.norm(p[1] - p[5]) + np.linalg.norm(p[2] - p[4])) / (2.0 * width))


def head_pose(landmarks: np.ndarray) -> tuple[float, float, float]:
    """(yaw, pitch, roll) in degrees."""
    eye = landmarks[OUTER_CORNERS[1]] - landmarks[OUTER_CORNERS[0]]
    up = landmarks[FOREHEAD] - landmarks[CHIN]
    roll = np.degrees(np.arctan2(eye[1], eye[0]))
    yaw = np.degrees(np.arctan2(eye[2], np.hypot(eye[0], eye[1])))
    pitch = np.degrees(np.arctan2(up[2], np.hypot(up[0], up[1]))) - PITCH_NEUTRAL
    return float(yaw), float(pitch), float(roll)


def gaze(landmarks: np.ndarray) -> tuple[float, float]:
    """Mean iris offset (x along the eye line, y across it, + = down) in half eye widths."""
    offsets = []
    for ear, iris in ((EAR_IMG_LEFT, IRIS_IMG_LEFT), (EAR_IMG_RIGHT, IRIS_IMG_RIGHT)):
        a, b = landmarks[ear[0], :2], landmarks[ear[3], :2]
        if a[0] > b[0]:
            a, b = b, a
        half = np.linalg.norm(b - a) / 2.0
        if half <= 1e-6 or landmarks.shape[0] <= iris:
            continue
        u = (b - a) / (2.0 * half)
        n = np.array([-u[1], u[0]])
        d = landmarks[iris, :2] - (a + b) / 2.0
        offsets.append((d @ u / half, d @ n / half - GAZE_Y_NEUTRAL))
    if not offsets:
        return float("nan"), float("nan")
    gx, gy = np.mean(offsets, axis=0)
    return float(gx), float(gy)


@dataclass
class _EyeState:
    history: deque = field(default_factory=deque)  # (time, mean EAR) over the last `window` s
    closed_since: float | None = None
    last_wink: float | None = None
    closing_a_wink: bool = False  # the closure under way began within max_blink s of a wink


class EyeSignalEstimator:
    """Per-track eye signals; keeps only a few seconds of EAR values per live track."""

    def __init__(
        self, config: EyeSignalConfig = DEFAULT_TUNING.eyes, max_yaw: float = MAX_YAW, max_pitch: float = MAX_PITCH
    ) -> None:
        self.config = config
        self.max_yaw = max_yaw
        self.max_pitch = max_pitch
        self.units = ActionUnitEstimator()
        self._state: dict[int, _EyeState] = {}

    def open_level(self, track: int) -> float:
        state = self._state.get(track)
        values = sorted(v for _, v in state.history) if state else []
        if len(values) < 5:
            return DEFAULT_OPEN_EAR
        # the 90th percentile (numpy's linear rule) in plain Python: this runs for every face of every frame
        at = 0.9 * (len(values) - 1)
        low = int(at)
        high = min(low + 1, len(values) - 1)
        return values[low] + (values[high] - values[low]) * (at - low)

    def measure(self, track: int, landmarks: np.ndarray, time: float) -> EyeSignals:
        left, right = eye_aspect_ratio(landmarks, EAR_IMG_LEFT), eye_aspect_ratio(landmarks, EAR_IMG_RIGHT)
        known = [v for v in (left, right) if math.isfinite(v)]
        mean = sum(known) / len(known) if known else float("nan")
        state = self._state.setdefault(track, _EyeState())
        level = self.open_level(track)
        yaw, pitch, roll = head_pose(landmarks)
        gx, gy = gaze(landmarks)
        if not self._frontal(yaw, pitch):
            return EyeSignals(left, right, None, False, yaw, pitch, roll, gx, gy, False)
        wink = False
        if state.closed_since is None:
            # both eyes, not their mean: a wink (one eye shut, the other open) is an expression, not a closure
            wider, narrower = (max(known), min(known)) if known else (float("nan"), float("nan"))
            closed = bool(known and mean < self.config.closed_ratio * level and wider < self.config.wider_ratio * level)
            wink = bool(
                known
                and not closed
                and narrower < self.config.closed_ratio * level
                and wider >= self.config.wider_ratio * level
                and abs(yaw) <= self.config.wink_max_yaw
            )
        else:
            closed = bool(known and mean < self.config.reopen_ratio * level)
        blink = False
        if wink:
            state.last_wink = time
        if closed and state.closed_since is None:
            state.closed_since = time
            state.closing_a_wink = state.last_wink is not None and time - state.last_wink <= self.config.max_blink
        elif not closed and state.closed_since is not None:
            blink = time - state.closed_since <= self.config.max_blink and not state.closing_a_wink
            state.closed_since = None
        if known and not closed:
            state.history.append((time, mean))
        while state.history and time - state.history[0][0] > self.config.window:
            state.history.popleft()
        units = self.units.measure(track, landmarks, time, eyes_open=not (closed or wink))
        return EyeSignals(left, right, closed, blink, yaw, pitch, roll, gx, gy, wink, units)

    def frontal(self, signals: EyeSignals) -> bool:
        """The head close enough to frontal for the eye region to be read (lids, expressions)."""
        return self._frontal(signals.yaw, signals.pitch)

    def _frontal(self, yaw: float, pitch: float) -> bool:
        return head_within(yaw, pitch, self.max_yaw, self.max_pitch)

    def forget(self, live_tracks: set[int]) -> None:
        """Drop the state of tracks that are gone (keeps memory constant)."""
        for track in [t for t in self._state if t not in live_tracks]:
            del self._state[track]
        self.units.forget(live_tracks)
