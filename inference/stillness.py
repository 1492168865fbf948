"""Still images among the faces: a poster, a photo on a desk, a face on the teacher's slides or a TV.

A face detector finds a printed face as readily as a live one; left in, a poster becomes a "student"
who never blinks and whose eyes never change. A track is still when, over at least `min_seconds` of
frames with landmarks, all three hold:
- no blink (a person blinks every few seconds; a picture never does);
- its landmarks stay where they were: a frame "moves" when its landmarks (in inter-ocular distances
  from a reference frame) differ from the reference by more than `motion_noise` root-mean-square, and
  the reference is then that frame, so slow drift adds up to moves while the mesh's jitter on a fixed
  picture does not; at most `max_move_share` of the frames may move;
- its aligned eye band looks the same from frame to frame: at most `max_change_share` of the
  consecutive bands differ by more than `change_noise` grey levels on average.

The trade-off: a picture that moves (a photo held in a hand, a panning camera) is not caught, since
motion alone says "not still"; a person sitting perfectly still is not flagged either, because they
blink. Counts only, per track, so that chunks' counts add up (`merge`); `forget` drops a gone track's
reference landmarks and band but keeps its counts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .records import Record
from .tuning import DEFAULT_STILLNESS, StillnessConfig


@dataclass
class StillCounts(Record):
    """One track's counts (over the frames with landmarks)."""

    first: float
    last: float
    frames: int = 0
    moves: int = 0  # frames whose landmarks left the reference by more than the noise
    bands: int = 0  # consecutive pairs of aligned eye bands compared
    changes: int = 0  # pairs that differed by more than the noise
    blinks: int = 0

    def add(self, other: StillCounts) -> None:
        self.first, self.last = min(self.first, other.first), max(self.last, other.last)
        self.frames += other.frames
        self.moves += other.moves
        self.bands += other.bands
        self.changes += other.changes
        self.blinks += other.blinks


def is_still(counts: StillCounts, config: StillnessConfig = DEFAULT_STILLNESS) -> bool:
    """The track behaved like a still image (see the module docstring)."""
    if counts.last - counts.first < config.min_seconds or counts.frames < 2:
        return False
    moved = counts.moves / counts.frames
    changed = counts.changes / counts.bands if counts.bands else 0.0
    return counts.blinks == 0 and moved <= config.max_move_share and changed <= config.max_change_share


@dataclass
class _Reference:
    points: np.ndarray | None = None  # landmarks (x, y) / inter-ocular distance
    band: np.ndarray | None = field(default=None, repr=False)


class StillnessMeter:
    """Fed each face with landmarks (and its eye band when read); `counts()` per track at any time."""

    def __init__(self, config: StillnessConfig = DEFAULT_STILLNESS) -> None:
        self.config = config
        self._counts: dict[int, StillCounts] = {}
        self._refs: dict[int, _Reference] = {}

    def motion(self, track: int, landmarks: np.ndarray, inter_ocular: float) -> float | None:
        """RMS distance of the landmarks from the track's reference, in inter-ocular distances."""
        ref = self._refs.get(track)
        if ref is None or ref.points is None or inter_ocular <= 0:
            return None
        points = landmarks[:, :2] / inter_ocular
        return float(np.sqrt(np.mean(np.sum((points - ref.points) ** 2, axis=1))))

    def add(self, track: int, time: float, landmarks: np.ndarray, inter_ocular: float, blink: bool) -> None:
        counts = self._counts.setdefault(track, StillCounts(time, time))
        counts.last = max(counts.last, time)
        counts.frames += 1
        counts.blinks += bool(blink)
        ref = self._refs.setdefault(track, _Reference())
        moved = self.motion(track, landmarks, inter_ocular)
        if ref.points is None or moved is not None and moved > self.config.motion_noise:
            counts.moves += moved is not None
            ref.points = landmarks[:, :2] / max(inter_ocular, 1e-6)

    def appearance(self, track: int, band: np.ndarray) -> None:
        """The track's aligned eye band on this frame, compared with its previous one."""
        ref = self._refs.setdefault(track, _Reference())
        band = band.astype(np.float32)
        if ref.band is not None and ref.band.shape == band.shape and track in self._counts:
            counts = self._counts[track]
            counts.bands += 1
            counts.changes += float(np.mean(np.abs(band - ref.band))) > self.config.change_noise
        ref.band = band

    def forget(self, live_tracks: set[int]) -> None:
        for track in [t for t in self._refs if t not in live_tracks]:
            del self._refs[track]

    def counts(self) -> dict[int, StillCounts]:
        return dict(self._counts)

    def still(self) -> set[int]:
        return {track for track, counts in self._counts.items() if is_still(counts, self.config)}


def merge(parts: list[dict[int, StillCounts]]) -> dict[int, StillCounts]:
    """The counts of several spans (chunks) keyed by the same track ids, added up."""
    merged: dict[int, StillCounts] = {}
    for part in parts:
        for track, counts in part.items():
            if track in merged:
                merged[track].add(counts)
            else:
                merged[track] = StillCounts(**counts.to_dict())
    return merged
