"""Tracking: stable anonymous track IDs across frames (no identities, no face pictures kept).

Method (small and documented): each frame, faces are matched to live tracks by the Hungarian
algorithm on a cost that prefers box overlap (1 - IoU when IoU >= min_iou) and otherwise accepts a
nearby box (centre distance below `max_jump` track-box sizes, cost 1 + distance). Unmatched faces
open new tracks (IDs 1, 2, 3, ... in order of appearance); a track not seen for `max_gap` seconds
is closed, so a face lost behind a hand for a moment keeps its ID. A track stores only its last box
and, in memory while it lives, a running colour histogram of its face.

A closed track may be re-linked (`TrackingConfig`): a face that starts a new track within
`relink_within` seconds of the old one's last sighting, within `relink_distance` face sizes of where it
was, and with a similar colour histogram (Bhattacharyya distance <= `max_appearance`) takes the old ID,
so a student hidden by a neighbour for a few seconds stays one student on a fixed camera. The histogram
is never stored and never compared across sessions: it only tells two faces at one place apart
within seconds, which is the trade-off against an identity feature (it cannot follow a student who moves
seats, and two students alike in colour at one place within seconds are one).

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
from .tuning import DEFAULT_TUNING, TrackingConfig

_NO_MATCH = 1e6


@dataclass
class Track:
    id: int
    box: Box
    last_time: float
    hits: int = 1
    looks: np.ndarray | None = None  # running hue/saturation histogram of the face (memory only)

    def seen(self, box: Box, time: float, looks: np.ndarray | None) -> None:
        self.box, self.last_time, self.hits = box, time, self.hits + 1
        if looks is not None:
            # a running mean: one frame with a hand over the face does not replace the face's colours
            self.looks = looks if self.looks is None else 0.8 * self.looks + 0.2 * looks


class IouTracker:
    def __init__(
        self,
        max_gap: float = 1.5,
        min_iou: float = 0.2,
        max_jump: float = 0.75,
        config: TrackingConfig = DEFAULT_TUNING.tracking,
    ) -> None:
        self.max_gap = max_gap
        self.min_iou = min_iou
        self.max_jump = max_jump
        self.config = config
        self.tracks: list[Track] = []
        self._aside: list[Track] = []
        self._ended: list[Track] = []  # closed tracks that may still be re-linked
        self._next_id = 1
        self._clock: float | None = None  # the time of the last update

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
        self.tracks, self._ended = [], []  # positions do not carry over a cut

    def resume(self) -> None:
        """The shot before the cut is back: its tracks continue; tracks born since then end."""
        if self._aside:
            self.tracks, self._aside = self._aside, []

    def carry_over(self, time: float) -> None:
        """The stream paused and goes on at `time` (a live page that left and came back): every track,
        set-aside and re-linkable ones too, moves forward by the pause, so a face where a track was
        continues it as if there had been no pause. The trade-off: whoever sits in that place then is taken
        for the same student, however long the pause (the live reconnect grace bounds it)."""
        if self._clock is None or time <= self._clock:
            return
        pause, self._clock = time - self._clock, time
        for track in self.tracks + self._aside + self._ended:
            track.last_time += pause

    @property
    def alive(self) -> set[int]:
        """IDs of the tracks that may still match a face, set-aside and re-linkable ones included."""
        return {t.id for t in self.tracks + self._aside + self._ended}

    def update(self, boxes: list[Box], time: float, image: np.ndarray | None = None) -> list[int]:
        """Track ID for each box (same order). Call once per analysed frame, times increasing. With the
        frame (`image`, BGR), re-linking also compares the faces' colours; without, position alone."""
        self._clock = time
        live = [t for t in self.tracks if time - t.last_time <= self.max_gap]
        ended = self._ended + [t for t in self.tracks if time - t.last_time > self.max_gap]
        self._ended = [t for t in ended if time - t.last_time <= self.config.relink_within]
        self.tracks = live
        looks = [None if image is None else appearance(image, box) for box in boxes]
        ids = [0] * len(boxes)
        if self.tracks and boxes:
            cost = np.array([[self._cost(t, b) for b in boxes] for t in self.tracks])
            for r, c in zip(*linear_sum_assignment(cost)):
                if cost[r, c] < _NO_MATCH:
                    self.tracks[r].seen(boxes[c], time, looks[c])
                    ids[c] = self.tracks[r].id
        for c, box in enumerate(boxes):
            if ids[c]:
                continue
            track = self._relinked(box, looks[c])
            if track is None:
                track = Track(self._next_id, box, time, looks=looks[c])
                self._next_id += 1
            else:
                track.seen(box, time, looks[c])
            self.tracks.append(track)
            ids[c] = track.id
        return ids

    def _relinked(self, box: Box, looks: np.ndarray | None) -> Track | None:
        """The nearest ended track this new face may continue, taken out of the ended ones."""
        best, best_dist = None, self.config.relink_distance
        for track in self._ended:
            (tx, ty), (bx, by) = track.box.center, box.center
            dist = float(np.hypot(tx - bx, ty - by)) / max(np.sqrt(track.box.area), 1.0)
            ratio = max(box.area, 1.0) / max(track.box.area, 1.0)
            if dist > best_dist or not 0.5 < ratio < 2.0:
                continue
            if looks is not None and track.looks is not None:
                if cv2.compareHist(track.looks, looks, cv2.HISTCMP_BHATTACHARYYA) > self.config.max_appearance:
                    continue
            best, best_dist = track, dist
        if best is not None:
            self._ended.remove(best)
        return best


def appearance(image: np.ndarray, box: Box) -> np.ndarray | None:
    """Hue/saturation histogram (16x8, sums to 1) of the face box: what tells two faces at one place apart."""
    h, w = image.shape[:2]
    x0, y0 = max(int(box.x), 0), max(int(box.y), 0)
    x1, y1 = min(int(box.x + box.w) + 1, w), min(int(box.y + box.h) + 1, h)
    if x1 - x0 < 2 or y1 - y0 < 2 or image.ndim != 3:
        return None
    hsv = cv2.cvtColor(np.ascontiguousarray(image[y0:y1, x0:x1]), cv2.COLOR_BGR2HSV)
    hist = cv2.calcHist([hsv], [0, 1], None, [16, 8], [0, 180, 0, 256])
    return cv2.normalize(hist, None, 1, 0, cv2.NORM_L1)


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
