"""Tracking: stable anonymous track IDs across frames (no identities, no face pictures kept).

Method (small and documented): each frame, faces are matched to live tracks by the Hungarian
algorithm on a cost that prefers box overlap (1 - IoU when IoU >= min_iou) and otherwise accepts a
nearby box (centre distance below `max_jump` track-box sizes, cost 1 + distance). Unmatched faces
open new tracks (IDs 1, 2, 3, ... in order of appearance); a track not seen for `max_gap` seconds
is closed, so a face lost behind a hand for a moment keeps its ID. A track stores only its last box.

Shot cuts (edited class recordings switch cameras) end every track: positions do not carry over a
cut, and re-identifying a person across shots would need identity features, which we do not keep.
`SceneCuts` flags a cut when consecutive analysed frames differ both in colour distribution
(Bhattacharyya distance of 16x8 hue/saturation histograms of a 64x36 thumbnail > `min_hist`) and
in pixels (mean absolute grey difference > `min_diff` levels): both thresholds sit between the
scores of real cuts and of ordinary frames on test clips (docs/methods.md, "Tracking").

A person walking past a hand-held camera's lens looks like a cut too, so a cut only sets the tracks
aside: when, within `max_return` seconds, a frame's colours match the shot before the cut again
(distance <= `back_hist` to one of its frames), `SceneCuts` says "back" and the tracks resume with
their IDs. Colours, not pixels, because the camera often moves while the lens is covered; the
trade-off is that a cut away and back within `max_return` also keeps the IDs, which is right for
the same camera and wrong only if it moved to other people with the same colours.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Literal

import cv2
import numpy as np
from scipy.optimize import linear_sum_assignment

from .records import Box

_NO_MATCH = 1e6


@dataclass
class Track:
    id: int
    box: Box
    last_time: float
    hits: int = 1


class IouTracker:
    def __init__(self, max_gap: float = 1.5, min_iou: float = 0.2, max_jump: float = 0.75) -> None:
        self.max_gap = max_gap
        self.min_iou = min_iou
        self.max_jump = max_jump
        self.tracks: list[Track] = []
        self._aside: list[Track] = []
        self._next_id = 1

    def _cost(self, track: Track, box: Box) -> float:
        iou = track.box.iou(box)
        if iou >= self.min_iou:
            return 1.0 - iou
        (tx, ty), (bx, by) = track.box.center, box.center
        size = max(np.sqrt(track.box.area), 1.0)
        dist = float(np.hypot(tx - bx, ty - by)) / size
        ratio = max(box.area, 1.0) / max(track.box.area, 1.0)
        if dist < self.max_jump and 0.25 < ratio < 4.0:
            return 1.0 + dist
        return _NO_MATCH

    def suspend(self, time: float) -> None:
        """A shot cut: live tracks stop matching but are kept until they expire or `resume`. A cut
        while tracks are still aside (the lens still covered) keeps the first shot's tracks."""
        self._aside = [t for t in self._aside if time - t.last_time <= self.max_gap] or self.tracks
        self.tracks = []

    def resume(self) -> None:
        """The shot before the cut is back: its tracks continue; tracks born since then end."""
        if self._aside:
            self.tracks, self._aside = self._aside, []

    @property
    def alive(self) -> set[int]:
        """IDs of the tracks that may still match a face, set-aside ones included."""
        return {t.id for t in self.tracks + self._aside}

    def update(self, boxes: list[Box], time: float) -> list[int]:
        """Track ID for each box (same order). Call once per analysed frame, times increasing."""
        self.tracks = [t for t in self.tracks if time - t.last_time <= self.max_gap]
        ids = [0] * len(boxes)
        if self.tracks and boxes:
            cost = np.array([[self._cost(t, b) for b in boxes] for t in self.tracks])
            for r, c in zip(*linear_sum_assignment(cost)):
                if cost[r, c] < _NO_MATCH:
                    track = self.tracks[r]
                    track.box, track.last_time, track.hits = boxes[c], time, track.hits + 1
                    ids[c] = track.id
        for c, box in enumerate(boxes):
            if not ids[c]:
                self.tracks.append(Track(self._next_id, box, time))
                ids[c] = self._next_id
                self._next_id += 1
        return ids


Shot = Literal["cut", "back"] | None


class SceneCuts:
    def __init__(
        self, min_hist: float = 0.3, min_diff: float = 18.0, max_return: float = 1.5, back_hist: float = 0.2
    ) -> None:
        self.min_hist = min_hist
        self.min_diff = min_diff
        self.max_return = max_return
        self.back_hist = back_hist
        self._prev: tuple[np.ndarray, np.ndarray] | None = None
        self._recent: deque[tuple[float, np.ndarray]] = deque()
        self._before: list[np.ndarray] = []  # histograms of the shot a recent cut left
        self._cut_time = 0.0

    def __call__(self, frame_bgr: np.ndarray, time: float) -> Shot:
        """Returns "cut" when this frame (at `time` seconds, increasing) starts a new shot, never
        for the first frame; "back" when it returns to the shot a cut left at most `max_return`
        seconds ago; else None."""
        hist, gray = self.thumbnail(frame_bgr)
        prev, self._prev = self._prev, (hist, gray)
        shot: Shot = None
        if self._before and time - self._cut_time > self.max_return:
            self._before = []
        if self._before and min(self.distance(h, hist) for h in self._before) <= self.back_hist:
            shot, self._before = "back", []
        elif prev is not None and self.distance(prev[0], hist) > self.min_hist:
            if np.abs(gray - prev[1]).mean() > self.min_diff:
                shot = "cut"
                if not self._before:
                    self._before = [h for t, h in self._recent if time - t <= self.max_return]
                    self._cut_time = time
        if shot == "cut" or self._before:
            self._recent.clear()  # frames of another shot, or of the lens covered
        else:
            self._recent.append((time, hist))
            while time - self._recent[0][0] > self.max_return:
                self._recent.popleft()
        return shot

    @staticmethod
    def distance(a: np.ndarray, b: np.ndarray) -> float:
        """Bhattacharyya distance of two thumbnail histograms (0 = same colours, 1 = disjoint)."""
        return cv2.compareHist(a, b, cv2.HISTCMP_BHATTACHARYYA)

    @staticmethod
    def thumbnail(frame_bgr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(hue/saturation histogram, grey 64x36 thumbnail) of a frame: what cuts are judged on."""
        # every k-th pixel first: area-averaging a whole HD frame would cost more than the rest of the check
        k = max(1, min(frame_bgr.shape[0] // 72, frame_bgr.shape[1] // 128))
        small = cv2.resize(np.ascontiguousarray(frame_bgr[::k, ::k]), (64, 36), interpolation=cv2.INTER_AREA)
        if small.ndim == 2:
            small = cv2.cvtColor(small, cv2.COLOR_GRAY2BGR)
        hist = cv2.calcHist([cv2.cvtColor(small, cv2.COLOR_BGR2HSV)], [0, 1], None, [16, 8], [0, 180, 0, 256])
        hist = cv2.normalize(hist, None, 1, 0, cv2.NORM_L1)
        return hist, cv2.cvtColor(small, cv2.COLOR_BGR2GRAY).astype(np.float32)
