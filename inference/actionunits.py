"""Eye-region action units (FACS) from the 478-point Face Mesh: how far each eye-region action moved.

Geometry. The points are taken into the face's own frame: x along the outer eye corners, y from
chin to forehead made square to x, z their cross product; lengths are divided by the inter-ocular
distance (between the eyes' corner midpoints). A unit then reads the same on a near or far face and,
as far as the mesh's depth is right, on a head turned or nodded within the facing limits. Each unit
is the mean of the two sides:
- AU1 inner brow raiser: height of the inner brow above the inner eye corner.
- AU2 outer brow raiser: height of the outer brow above the outer eye corner.
- AU4 brow lowerer: the inner brows drawn together (their gap narrows) and down (mean brow height).
- AU5 upper lid raiser: height of the upper lid above the corner line.
- AU6 cheek raiser: height of the cheek under the eye.
- AU7 lid tightener: the lower lid rising towards the corner line.
- AU43 eyes closed: the share of the calm lid gap that closed (1 = shut); a blink is AU45 in FACS.
Calm. A unit is the change from the track's own calm level: the median of its raw value over the
last `calm_window` s of frames with the eyes open. A person whose brows sit low is not frowning. The
window is longer than an expression lasts (seconds) so an expression barely moves the median, and
short enough to follow a change of posture; the cost is that an expression held for most of the window
becomes the calm. Positive values are the action (AU4: brows lowered and drawn in).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import numpy as np

from .records import ActionUnits

# (image-left side, image-right side) of each point group, Face Mesh indices
OUTER_CORNER, INNER_CORNER = (33, 263), (133, 362)
UPPER_LID, LOWER_LID = (159, 386), (145, 374)
INNER_BROW = ((107, 66, 55, 65), (336, 296, 285, 295))
OUTER_BROW = ((70, 63, 46, 53), (300, 293, 276, 283))
CHEEK = ((117, 118, 101), (346, 347, 330))
CHIN, FOREHEAD = 152, 10
# the units an expression moves (AU43, closing, is a blink or a closure, which the eye step reads)
SPOT_UNITS = ("au1", "au2", "au4", "au5", "au6", "au7")
# how an event's moved units read to a teacher (FACS names in plain words)
ACTION_WORDS = {
    "AU1": "inner brows raised",
    "AU2": "outer brows raised",
    "AU4": "brows lowered",
    "AU5": "lids widened",
    "AU6": "cheeks raised",
    "AU7": "lids tightened",
}


def in_words(actions: list[str]) -> str:
    """An event's moved units in words, e.g. ["AU1", "AU2", "AU5"] -> "brows raised, lids widened"."""
    moved = [a.upper() for a in actions]
    if "AU1" in moved and "AU2" in moved:  # both parts of the brow: the brows were raised
        moved = ["BROWS"] + [a for a in moved if a not in ("AU1", "AU2")]
    return ", ".join("brows raised" if a == "BROWS" else ACTION_WORDS.get(a, a) for a in moved)


RAW = ("inner_brow", "outer_brow", "brow_gap", "brow", "upper_lid", "lower_lid", "cheek", "lid_gap")


def face_frame(landmarks: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """(origin, 3x3 rows x/y/z, inter-ocular distance) of the face's own frame."""
    lm = np.asarray(landmarks, np.float64)
    centres = [(lm[OUTER_CORNER[s]] + lm[INNER_CORNER[s]]) / 2 for s in (0, 1)]
    x = lm[OUTER_CORNER[1]] - lm[OUTER_CORNER[0]]
    x /= np.linalg.norm(x) + 1e-9
    up = lm[FOREHEAD] - lm[CHIN]
    y = up - (up @ x) * x
    y /= np.linalg.norm(y) + 1e-9
    z = np.cross(x, y)
    return (centres[0] + centres[1]) / 2, np.stack([x, y, z]), float(np.linalg.norm(centres[1] - centres[0]))


def raw_units(landmarks: np.ndarray) -> dict[str, float]:
    """The geometry the units are changes of, in inter-ocular distances (heights: + = towards the
    forehead)."""
    origin, axes, iod = face_frame(landmarks)
    if iod <= 1e-6:
        return {}
    p = (np.asarray(landmarks, np.float64) - origin) @ axes.T / iod  # every point in the face frame

    def height(idx) -> float:
        return float(np.mean(p[list(np.atleast_1d(idx)), 1]))

    sides = []
    for s in (0, 1):
        corner_line = (height(OUTER_CORNER[s]) + height(INNER_CORNER[s])) / 2
        inner_brow = height(INNER_BROW[s]) - height(INNER_CORNER[s])
        outer_brow = height(OUTER_BROW[s]) - height(OUTER_CORNER[s])
        sides.append(
            {
                "inner_brow": inner_brow,
                "outer_brow": outer_brow,
                "brow": (inner_brow + outer_brow) / 2,
                "upper_lid": height(UPPER_LID[s]) - corner_line,
                "lower_lid": height(LOWER_LID[s]) - corner_line,
                "cheek": height(CHEEK[s]) - corner_line,
                "lid_gap": height(UPPER_LID[s]) - height(LOWER_LID[s]),
            }
        )
    out = {k: (sides[0][k] + sides[1][k]) / 2 for k in sides[0]}
    out["brow_gap"] = float(np.mean(p[list(INNER_BROW[1]), 0]) - np.mean(p[list(INNER_BROW[0]), 0]))
    return out


def units_from(raw: dict[str, float], calm: dict[str, float]) -> ActionUnits:
    d = {k: raw[k] - calm[k] for k in RAW}
    return ActionUnits(
        au1=d["inner_brow"],
        au2=d["outer_brow"],
        au4=(-d["brow_gap"] - d["brow"]) / 2,
        au5=d["upper_lid"],
        au6=d["cheek"],
        au7=d["lower_lid"],
        au43=-d["lid_gap"] / calm["lid_gap"] if calm["lid_gap"] > 1e-6 else 0.0,
    )


@dataclass
class _Calm:
    history: deque = field(default_factory=deque)  # (time, raw units in RAW order) of open-eye frames


class ActionUnitEstimator:
    """Per track: raw units in, units relative to the track's calm out (None until `min_calm` frames)."""

    def __init__(self, calm_window: float = 10.0, min_calm: int = 5) -> None:
        self.calm_window = calm_window
        self.min_calm = min_calm
        self._tracks: dict[int, _Calm] = {}

    def measure(self, track: int, landmarks: np.ndarray, time: float, eyes_open: bool) -> ActionUnits | None:
        raw = raw_units(landmarks)
        if not raw:
            return None
        state = self._tracks.setdefault(track, _Calm())
        while state.history and time - state.history[0][0] > self.calm_window:
            state.history.popleft()
        calm_frames = [row for _, row in state.history]
        if eyes_open:
            state.history.append((time, np.array([raw[k] for k in RAW])))
        if len(calm_frames) < self.min_calm:
            return None
        # one median over a (frames, units) array, not one per unit: this runs for every face of every frame
        calm = dict(zip(RAW, np.median(np.stack(calm_frames), axis=0).tolist()))
        return units_from(raw, calm)

    def forget(self, live_tracks: set[int]) -> None:
        for track in [t for t in self._tracks if t not in live_tracks]:
            del self._tracks[track]
