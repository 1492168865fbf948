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

from .eyesignals import head_pose
from .records import Box, EyeSignals
from .tuning import HeadOnlyConfig


class HeadOnly:
    """`measure` the heads of a frame's small faces, then `pose(track, box, time)` for each: EyeSignals with
    the head's pose only, or None when unknown. `read` does both for one face."""

    def __init__(self, mesh_crops, config: HeadOnlyConfig) -> None:
        """`mesh_crops(bgr, boxes, margin=...)`: for each box, the landmarks of the face in a crop around it
        or None (faces.MediaPipeFaces.mesh_crops, side by side on two lanes); without it no head is read."""
        self.mesh_crops, self.config = mesh_crops, config
        # track -> (time last tried, time of the pose, the pose (yaw, pitch, roll) or None)
        self._read: dict[int, tuple[float, float, tuple[float, float, float] | None]] = {}

    def measure(self, faces: list[tuple[int, Box]], time: float, bgr) -> None:
        """Read the heads of `faces` (track, box) that are due at `time`: each margin's crops in one batch,
        so a room's heads are read on both lanes. `bgr`: the frame, as decoded (the crop mesh converts the
        crops it reads)."""
        due = [(track, box) for track, box in faces if self._due(track, box, time)]
        found: dict[int, tuple[float, float, float]] = {}
        left = due
        for margin in self.config.margins:
            if not left:
                break
            for (track, _), landmarks in zip(left, self.mesh_crops(bgr, [box for _, box in left], margin=margin)):
                if landmarks is not None:
                    found[track] = head_pose(landmarks)
            left = [(track, box) for track, box in left if track not in found]
        for track, _ in due:
            _, seen, pose = self._read.get(track, (None, -math.inf, None))
            if track in found:  # a failed read keeps the earlier pose, held until it is too old
                seen, pose = time, found[track]
            self._read[track] = (time, seen, pose)

    def pose(self, track: int, box: Box, time: float) -> EyeSignals | None:
        """The track's last head reading while it is at most `hold` seconds old and its face is wide enough."""
        _, seen, pose = self._read.get(track, (None, -math.inf, None))
        if pose is None or time - seen > self.config.hold or box.w < self.config.min_width:
            return None
        yaw, pitch, roll = pose
        nan = math.nan
        return EyeSignals(nan, nan, None, False, yaw, pitch, roll, nan, nan)

    def read(self, track: int, box: Box, time: float, bgr) -> EyeSignals | None:
        """`measure` and `pose` for one face."""
        self.measure([(track, box)], time, bgr)
        return self.pose(track, box, time)

    def _due(self, track: int, box: Box, time: float) -> bool:
        if self.mesh_crops is None or box.w < self.config.min_width:
            return False
        tried = self._read.get(track, (None,))[0]
        # on a grid from time 0, not from the track's first read: a chunk of a long video then reads on the
        # frames a single pass does
        return tried is None or math.floor(time / self.config.every) != math.floor(tried / self.config.every)

    def forget(self, live_tracks: set[int]) -> None:
        self._read = {t: r for t, r in self._read.items() if t in live_tracks}
