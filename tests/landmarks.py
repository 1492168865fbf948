"""Schematic Face Mesh landmarks for tests: eye openness, head yaw and pitch set by construction."""

from __future__ import annotations

import numpy as np

from inference.eyesignals import CHIN, EAR_IMG_LEFT, EAR_IMG_RIGHT, FOREHEAD, OUTER_CORNERS, PITCH_NEUTRAL
from inference.faces import IRIS_IMG_LEFT, IRIS_IMG_RIGHT, NUM_LANDMARKS


def synthetic_face(ear: float = 0.3, yaw: float = 0.0, iris_dx: float = 0.0, pitch: float = 0.0) -> np.ndarray:
    """Landmarks of a schematic face: two 20 px wide eyes with lid gap 2*ear*10 px (EAR = ear)."""
    lm = np.zeros((NUM_LANDMARKS, 3), np.float32)
    for idx, cx, iris in ((EAR_IMG_LEFT, 80.0, IRIS_IMG_LEFT), (EAR_IMG_RIGHT, 140.0, IRIS_IMG_RIGHT)):
        gap = ear * 20.0
        pts = [
            (cx - 10, 100),
            (cx - 4, 100 - gap / 2),
            (cx + 4, 100 - gap / 2),
            (cx + 10, 100),
            (cx + 4, 100 + gap / 2),
            (cx - 4, 100 + gap / 2),
        ]
        lm[list(idx), :2] = pts
        lm[iris, :2] = (cx + iris_dx, 100 - 1.0)  # the frontal offset: iris 0.1 half-width up
    lm[OUTER_CORNERS[0], :2], lm[OUTER_CORNERS[1], :2] = (70, 100), (150, 100)
    lm[CHIN, :2], lm[FOREHEAD, :2] = (110, 200), (110, 40)
    a = np.radians(yaw)
    for i in (OUTER_CORNERS[0], OUTER_CORNERS[1]):  # turn the eye line in depth
        lm[i, 2] = (lm[i, 0] - 110) * np.sin(a)
        lm[i, 0] = 110 + (lm[i, 0] - 110) * np.cos(a)
    up_len = 160.0
    pn = np.radians(PITCH_NEUTRAL + pitch)
    half_up, half_depth = up_len / 2 * np.cos(pn), up_len / 2 * np.sin(pn)  # the chin-forehead line tilted
    lm[FOREHEAD, 1:], lm[CHIN, 1:] = (120 - half_up, half_depth), (120 + half_up, -half_depth)
    return lm
