"""The eye CNN: a plain VGG-style network, backend-neutral Keras 3 (runs on TensorFlow or JAX).

The model takes raw uint8-range pixels (N, H, W, 1) and rescales them itself, so callers never
normalise. Augmentation layers are part of the model and only act while training.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import keras
from keras import layers

from inference.augment import EyeAugment
from inference.labels import NUM_CLASSES


@dataclass(frozen=True)
class ModelConfig:
    widths: tuple[int, ...] = (48, 96, 192)  # channels of each block of two 3x3 convolutions
    head_units: int = 256
    dropout: float = 0.5  # before the classifier; blocks use a smaller, growing rate
    augment: bool = True

    def to_dict(self) -> dict:
        return {**asdict(self), "widths": list(self.widths)}

    @classmethod
    def from_dict(cls, data: dict) -> ModelConfig:
        return cls(**{**data, "widths": tuple(data["widths"])})


def augmentation() -> EyeAugment:
    """Augmentation suited to eye crops: mirror (faces are near-symmetric), small shifts and
    rotations (alignment jitter of a few pixels), lighting changes. No vertical flips, no large
    zoom: the brow-to-eye distance carries the expression (docs/model.md). Always float32
    (interpolation weights)."""
    return EyeAugment(
        shift=(0.08, 0.08), rotation=0.025, brightness=0.15, contrast=0.25, name="augment", dtype="float32"
    )


def build_model(input_shape: tuple[int, int], config: ModelConfig = ModelConfig()) -> keras.Model:
    """VGG-style blocks (two 3x3 conv + BN + ReLU, max-pool, dropout), flatten, dense head."""
    inputs = keras.Input((*input_shape, 1), name="band")
    x = augmentation()(inputs) if config.augment else inputs
    x = layers.Rescaling(1.0 / 255.0)(x)
    for block, width in enumerate(config.widths):
        for _ in range(2):
            x = layers.Conv2D(width, 3, padding="same", use_bias=False)(x)
            x = layers.BatchNormalization()(x)
            x = layers.ReLU()(x)
        x = layers.MaxPooling2D()(x)
        x = layers.Dropout(0.1 * (block + 1))(x)
    x = layers.Flatten()(x)
    x = layers.Dense(config.head_units, use_bias=False)(x)
    x = layers.BatchNormalization()(x)
    x = layers.ReLU()(x)
    x = layers.Dropout(config.dropout)(x)
    outputs = layers.Dense(NUM_CLASSES, activation="softmax", dtype="float32", name="probabilities")(x)
    return keras.Model(inputs, outputs, name="eye_cnn")


def ensemble(members: list[keras.Model], name: str = "eye_cnn_ensemble") -> keras.Model:
    """One model whose output is the mean of its members' probabilities (members share the input)."""
    inputs = keras.Input(members[0].input_shape[1:], name="band")
    for i, member in enumerate(members):
        member.name = f"member_{i}"  # nested models need distinct names
    outputs = layers.Average(name="probabilities")([member(inputs) for member in members])
    return keras.Model(inputs, outputs, name=name)
