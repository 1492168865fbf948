"""Training-time augmentation of eye bands: one Keras layer made of matrix products only.

Keras' RandomTranslation and RandomRotation resample through a gather (`affine_transform`), which
made training steps of the eye CNN far slower under JAX on a GPU and costly on a small CPU
(docs/model.md, "Architecture and recipe"). Here every geometric change is a fractional shift of
each row or each column by a (linear-interpolation) matrix, a batched matmul on any backend:
a rotation is three shears (Paeth: x-shear, y-shear, x-shear), each a per-line shift, and the
translation folds into the last two. Pixels from outside the band repeat the edge ("nearest" fill).

Ranges, as fractions like Keras' own layers: `shift` of the height and width, `rotation` of a full
turn, `brightness` of the 0..255 range (added), `contrast` (scale around the image mean).
"""

from __future__ import annotations

import math

import keras
from keras import layers, ops


def shift_rows(x, offsets):
    """Move row i of each image (N, H, W, C) sideways: out[n, i, k] = x[n, i, k + offsets[n, i]],
    linearly interpolated, edge pixels repeated."""
    width = x.shape[2]
    grid = ops.arange(width, dtype=x.dtype)
    source = ops.clip(grid[None, None, :] + offsets[:, :, None], 0, width - 1)  # (N, H, W_out)
    weights = ops.relu(1 - ops.abs(source[..., None] - grid))  # (N, H, W_out, W_in), <= 2 nonzeros a row
    return ops.einsum("nhkv,nhvc->nhkc", weights, x)


def shift_columns(x, offsets):
    """Move column j of each image up or down by offsets[n, j] (as `shift_rows`, transposed)."""
    return ops.transpose(shift_rows(ops.transpose(x, (0, 2, 1, 3)), offsets), (0, 2, 1, 3))


def rotate_shift(x, angle, dy, dx):
    """Rotate each image by `angle` (radians, counter-clockwise as cv2.getRotationMatrix2D) about its
    centre, then translate by (dy, dx) pixels; angle, dy, dx have shape (N,). Exact for |angle| < pi/2
    up to interpolation."""
    height, width = x.shape[1], x.shape[2]
    rows = ops.arange(height, dtype=x.dtype) - (height - 1) / 2
    columns = ops.arange(width, dtype=x.dtype) - (width - 1) / 2
    alpha, beta = -ops.tan(angle / 2)[:, None], ops.sin(angle)[:, None]
    x = shift_rows(x, alpha * rows[None, :])
    x = shift_columns(x, beta * columns[None, :] - dy[:, None])
    return shift_rows(x, alpha * rows[None, :] - dx[:, None])


@keras.saving.register_keras_serializable(package="eyeclass")
class EyeAugment(layers.Layer):
    """Random mirror, rotation, shift, brightness and contrast per image; identity outside training."""

    def __init__(
        self, shift=(0.08, 0.08), rotation=0.025, brightness=0.15, contrast=0.25, flip=True, seed=None, **kwargs
    ):
        super().__init__(**kwargs)
        self.shift, self.rotation, self.flip = tuple(shift), rotation, flip
        self.brightness, self.contrast, self.seed = brightness, contrast, seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, x, training=None):
        if not training:
            return x
        u = keras.random.uniform((ops.shape(x)[0], 6), minval=-1.0, maxval=1.0, seed=self.seed_generator)
        u = ops.cast(u, x.dtype)
        if self.flip:
            x = ops.where((u[:, 0] < 0)[:, None, None, None], ops.flip(x, axis=2), x)
        x = rotate_shift(
            x,
            u[:, 1] * (2 * math.pi * self.rotation),
            u[:, 2] * (self.shift[0] * x.shape[1]),
            u[:, 3] * (self.shift[1] * x.shape[2]),
        )
        x = x + (u[:, 4] * (255.0 * self.brightness))[:, None, None, None]
        mean = ops.mean(x, axis=(1, 2), keepdims=True)
        x = (x - mean) * (1 + u[:, 5] * self.contrast)[:, None, None, None] + mean
        return ops.clip(x, 0.0, 255.0)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {
            **super().get_config(),
            "shift": list(self.shift),
            "rotation": self.rotation,
            "flip": self.flip,
            "brightness": self.brightness,
            "contrast": self.contrast,
            "seed": self.seed,
        }
