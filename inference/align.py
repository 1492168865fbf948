"""Alignment: map a detected face into the canonical FER 48x48 frame and cut the eye band.

A similarity transform (rotation by the eye line, scale by inter-ocular distance, translation)
sends the two detected eye centres onto `geometry.CANONICAL`'s eye positions, exactly where the
landmark model puts the eyes of an average FER2013 face. Large faces are warped at k x 48 and
area-averaged down to 48, like FER's own downscaled faces, rather than point-sampled.
"""

from __future__ import annotations

import cv2
import numpy as np

from .geometry import CANONICAL, EYE_BAND, FRAME_SIZE, Band, CanonicalFrame
from .records import Box

MAX_SUPERSAMPLE = 4


def similarity(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """2x3 matrix of the similarity transform sending src[0]->dst[0] and src[1]->dst[1]."""
    src, dst = np.asarray(src, np.float64), np.asarray(dst, np.float64)
    vs, vd = src[1] - src[0], dst[1] - dst[0]
    norm = float(vs @ vs)
    if norm <= 1e-12:
        raise ValueError("eye centres coincide: cannot align")
    a = (vs @ vd) / norm  # s*cos(theta)
    b = (vs[0] * vd[1] - vs[1] * vd[0]) / norm  # s*sin(theta)
    rot = np.array([[a, -b], [b, a]])
    t = dst[0] - rot @ src[0]
    return np.hstack([rot, t[:, None]])


def canonical_points(canonical: CanonicalFrame = CANONICAL) -> np.ndarray:
    return np.array([canonical.left_eye, canonical.right_eye], dtype=np.float64)


def align_face(gray: np.ndarray, eyes: np.ndarray, canonical: CanonicalFrame = CANONICAL) -> np.ndarray:
    """The face whose eye centres are `eyes` (image-left, image-right), in the 48x48 canonical frame."""
    if gray.ndim != 2:
        raise ValueError("align_face expects a single-channel image")
    scale = float(np.hypot(*(eyes[1] - eyes[0])))
    k = int(np.clip(np.ceil(scale / canonical.inter_ocular), 1, MAX_SUPERSAMPLE)) if scale > 0 else 1
    size = canonical.size * k
    matrix = similarity(eyes, canonical_points(canonical) * k + (k - 1) / 2.0)
    warped = cv2.warpAffine(gray, matrix, (size, size), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    if k == 1:
        return warped
    return cv2.resize(warped, (canonical.size, canonical.size), interpolation=cv2.INTER_AREA)


def align_bands(
    gray: np.ndarray, eyes_list: list[np.ndarray], band: Band = EYE_BAND, canonical: CanonicalFrame = CANONICAL
) -> np.ndarray:
    """(N, band.height, band.width) uint8: the band cut from each aligned face, ready for the CNN."""
    out = np.empty((len(eyes_list), band.height, band.width), dtype=np.uint8)
    for i, eyes in enumerate(eyes_list):
        out[i] = band.cut(align_face(gray, eyes, canonical))
    return out


def eye_boxes(eyes: np.ndarray, width: float = 0.7, height: float = 0.45) -> list[Box]:
    """Boxes around each eye centre, sized by the inter-ocular distance (for drawing/records)."""
    iod = float(np.hypot(*(eyes[1] - eyes[0])))
    w, h = width * iod, height * iod
    return [Box(float(x - w / 2), float(y - h / 2), w, h) for x, y in eyes]


assert FRAME_SIZE == CANONICAL.size
