"""Geometry shared by training and inference: the canonical FER frame and the eye band.

Training cuts the band from FER2013's 48x48 faces; inference aligns a detected face into the same
48x48 frame (eye line level, inter-ocular distance fixed) and cuts the same band. Both sides read
these constants (and the model card records them), so the geometry cannot drift apart.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

FRAME_SIZE = 48  # FER2013 faces are 48x48 grayscale


@dataclass(frozen=True)
class Band:
    """Rows [top, bottom) and columns [left, right) of the canonical 48x48 face."""

    top: int
    bottom: int
    left: int = 0
    right: int = FRAME_SIZE

    @property
    def height(self) -> int:
        return self.bottom - self.top

    @property
    def width(self) -> int:
        return self.right - self.left

    @property
    def shape(self) -> tuple[int, int]:
        return (self.height, self.width)

    def cut(self, faces: np.ndarray) -> np.ndarray:
        """Cut the band from one grayscale face (H, W) or a batch (N, H, W[, C]) in the canonical frame."""
        if faces.ndim == 2:
            return faces[self.top : self.bottom, self.left : self.right]
        return faces[:, self.top : self.bottom, self.left : self.right]

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Band:
        return cls(**{k: int(data[k]) for k in ("top", "bottom", "left", "right")})


# Eyes and brows, with a margin below the eyes for alignment error, stopping above the mouth;
# chosen by measurement (docs/model.md, "Band choice").
EYE_BAND = Band(top=4, bottom=32)
FULL_FACE = Band(top=0, bottom=FRAME_SIZE)


@dataclass(frozen=True)
class CanonicalFrame:
    """Where the eye centres sit, on average, in a FER2013 48x48 face (x, y in pixels).

    Measured by running the landmark model on upscaled FER2013 faces (docs/methods.md, "Alignment
    and the eye band"). An aligned crop maps a detected face's eye centres onto these two points.
    """

    left_eye: tuple[float, float]  # the eye on the image's left side
    right_eye: tuple[float, float]
    size: int = FRAME_SIZE

    @property
    def inter_ocular(self) -> float:
        return float(np.hypot(self.right_eye[0] - self.left_eye[0], self.right_eye[1] - self.left_eye[1]))


# Where alignment puts the eyes: the average eye centres (as inference.faces.eye_centres) of
# upscaled FER2013 faces, in 48x48 pixel-centre coordinates (docs/methods.md, "Alignment and the eye band").
CANONICAL = CanonicalFrame(left_eye=(14.93, 18.07), right_eye=(31.86, 17.82))


def cut_bands(faces: np.ndarray, band: Band) -> np.ndarray:
    """Cut `band` from a batch (N, 48, 48) of faces. Unlike `Band.cut`, never mistakes a batch of
    exactly 48 faces for one face with 48 channels."""
    if faces.ndim != 3 or faces.shape[1:] != (FRAME_SIZE, FRAME_SIZE):
        raise ValueError(f"expected aligned faces (N, {FRAME_SIZE}, {FRAME_SIZE}), got {faces.shape}")
    return np.ascontiguousarray(faces[:, band.top : band.bottom, band.left : band.right])
