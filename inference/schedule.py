"""The two schedules that make a classroom's cost follow its faces, not its pixels.

`ScanSchedule` says when the whole frame is searched for faces (the detector on the full frame and
on every tile): on the first frame, on a shot cut or a return to the last shot, and every
`scan_every` seconds. The first two, and one scan every `fine_scan_every` seconds, are fine (128 px
tiles, and 512 px ones on large frames); the others use tiles sized from the smallest face found.
On the frames between, the detector looks on the full frame and around the tracked faces' last boxes
(crops of the full-resolution frame, `MediaPipeFaces` with `near`), so a 4K frame costs what its
faces cost, and an empty room one detector call a frame. Trade-off: a face that enters between
scans (not near a tracked one, too small for the full-frame pass) is found up to `scan_every` seconds
late, one smaller than all the faces found up to `fine_scan_every` seconds late.

`LandmarkSchedule` says which faces get a landmark pass (the Face Mesh on a crop around the face)
when a frame holds more faces than the per-frame budget (`AnalysisOptions.landmark_passes`): faces
already given landmarks by the full-frame mesh need none; of the others, those whose eyes are big
enough to read (by the detector's eye points or the box's width, `EYES_PER_BOX`) go least recently
read first, the largest first among equals; a pass that finds no landmarks (a bowed head, a hand)
rests that face `rest` seconds behind the others, so it cannot hold the budget, and gives it no pass
at all for `pause` seconds, as the face step's own retries rest (such passes mostly fail again): at 30
analysed frames a second it is tried again three frames later, at 10 a second on the next frame. The
passes rotate:
with N such faces and a budget of B passes a frame, every face is tried about every N / B analysed
frames (at 10 a second and B = 6, up to 60 faces each tried at least once a second), and read when
the mesh finds its face. Trade-off: a face read every few frames gives blinks and micro-expressions
fewer frames than one read every frame; a room within the budget is read on every frame, as before.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np

from .faces import Face
from .tracking import Shot
from .tuning import FaceScheduleConfig

# A frontal face's eye distance is about this fraction of its detector box's width (0.40-0.44 on the
# 720p classroom clip's faces read by the mesh). The detector's own eye points of a turned or bowed
# head lie closer together than the mesh's, so a box this wide is worth a pass whatever they say.
EYES_PER_BOX = 0.4


class ScanSchedule:
    def __init__(self, config: FaceScheduleConfig) -> None:
        self.config = config
        self._last: float | None = None

    def due(self, time: float, shot: Shot) -> Literal["fine", "scan"] | None:
        """Whether the frame at `time` gets a full scan, "fine" (tiles of 128 px) or "scan" (tiles sized
        from the faces found), or None (follow). Periods count from time 0, not from the first frame,
        so a chunk of a long video scans on the frames a single pass over the whole video scans on."""
        last, self._last = self._last, time
        fine = self.config.fine_scan_every
        if last is None or shot is not None or _period(last, fine) != _period(time, fine):
            return "fine"
        return "scan" if _period(last, self.config.scan_every) != _period(time, self.config.scan_every) else None


def _period(time: float, length: float) -> int:
    return int(np.floor(time / length + 1e-9))


class LandmarkSchedule:
    def __init__(self, passes: int, min_inter_ocular: float, rest: float = 0.3, pause: float = 0.0) -> None:
        """`rest`: seconds a face whose pass found no landmarks waits behind the others; `pause`: seconds
        it gets no pass at all, even with passes to spare (0: never)."""
        if passes < 0:
            raise ValueError(f"landmark passes must be >= 0, got {passes!r}")
        self.passes, self.min_inter_ocular, self.rest, self.pause = passes, min_inter_ocular, rest, pause
        self._read: dict[int, float] = {}  # track -> time its landmarks were last found
        self._missed: dict[int, float] = {}  # track -> time of its last pass that found none

    def pick(self, faces: Sequence[Face], tracks: Sequence[int], time: float) -> list[int]:
        """Indices of the faces to give a landmark pass this frame (at most `passes`)."""
        never = float("-inf")
        waiting = [
            i
            for i, f in enumerate(faces)
            if f.landmarks is None
            and self.big_enough(f)
            and time - self._missed.get(tracks[i], never) >= self.pause - 1e-9
        ]

        def turn(i: int) -> tuple:
            resting = time - self._missed.get(tracks[i], float("-inf")) < self.rest
            return resting, self._read.get(tracks[i], float("-inf")), -faces[i].box.w

        return sorted(waiting, key=turn)[: self.passes]

    def big_enough(self, face: Face) -> bool:
        """Whether the face's eyes may be far enough apart to read, by the detector or its box."""
        return max(face.inter_ocular, EYES_PER_BOX * face.box.w) >= self.min_inter_ocular

    def tried(self, track: int, time: float, found: bool) -> None:
        (self._read if found else self._missed)[track] = time

    def forget(self, live: set[int]) -> None:
        """Drop the tracks that ended (bounded memory on a long stream)."""
        self._read = {t: v for t, v in self._read.items() if t in live}
        self._missed = {t: v for t, v in self._missed.items() if t in live}
