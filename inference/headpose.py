"""Head orientation of faces too small for their eyes to be read (a room or ceiling camera).

Below `min_inter_ocular` px between the eyes the lids and the eye band are a few pixels and are not
read, but where the head points still is: the Face Mesh run on a crop around the detected face often
finds the face down to ~10 px wide, and the head pose of its landmarks (eyesignals.head_pose) is within
a few degrees of the pose measured on the same face at full size (docs/benchmarks/small_faces.md). Such
a face gets signals with yaw, pitch and roll only: eyes closed unknown, no blink, no gaze, so it counts
as facing or not, and its engagement is facing only.

Trade-offs: a crop mesh costs about as much as a whole small frame's detection, so a track's head is
read once in each `every`-second slot (counted from time 0, so a chunk reads where a single pass does)
and the reading is held for `hold` seconds (a seated student's head turns more slowly than that; a
glance of the eyes alone is not seen at this size anyway). A crop with
more context around the face is found more often by the mesh on real small faces, at a cost in
precision, so the margins are tried in order, widest last (HeadOnlyConfig).
"""

from __future__ import annotations

import math

import numpy as np

from .eyesignals import head_pose
from .records import Box, EyeSignals
from .tuning import HeadOnlyConfig


class HeadOnly:
    """`read(track, box, time, bgr)` -> EyeSignals with the head's pose only, or None when unknown."""

    def __init__(self, mesh_crop, config: HeadOnlyConfig) -> None:
        """`mesh_crop(bgr, box, margin=...)`: landmarks of the face in a crop around `box`, or None
        (faces.MediaPipeFaces.mesh_crop); without one no head is read."""
        self.mesh_crop, self.config = mesh_crop, config
        # track -> (time last tried, time of the pose, the pose (yaw, pitch, roll) or None)
        self._read: dict[int, tuple[float, float, tuple[float, float, float] | None]] = {}

    def read(self, track: int, box: Box, time: float, bgr) -> EyeSignals | None:
        """`bgr`: the frame, as decoded (`mesh_crop` converts the crop it reads)."""
        if self.mesh_crop is None or box.w < self.config.min_width:
            return None
        tried, seen, pose = self._read.get(track, (None, -math.inf, None))
        # on a grid from time 0, not from the track's first read: a chunk of a long video then reads on the
        # frames a single pass does
        if tried is None or math.floor(time / self.config.every) != math.floor(tried / self.config.every):
            found = self._measure(box, bgr)
            tried = time
            if found is not None:  # a failed read keeps the earlier pose, held until it is too old
                seen, pose = time, found
            self._read[track] = (tried, seen, pose)
        if pose is None or time - seen > self.config.hold:
            return None
        yaw, pitch, roll = pose
        nan = math.nan
        return EyeSignals(nan, nan, None, False, yaw, pitch, roll, nan, nan)

    def _measure(self, box: Box, bgr: np.ndarray) -> tuple[float, float, float] | None:
        for margin in self.config.margins:
            landmarks = self.mesh_crop(bgr, box, margin=margin)
            if landmarks is not None:
                return head_pose(landmarks)
        return None

    def forget(self, live_tracks: set[int]) -> None:
        self._read = {t: r for t, r in self._read.items() if t in live_tracks}
