"""`EyeClassifier`: a trained eye CNN (.keras) plus its model card (.json beside it).

clf = EyeClassifier.from_default()            # inference/weights/eye_cnn.keras
probs = clf.predict_bands(bands)              # (N, h, w) uint8 -> (N, 7), flip-averaged
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from inference.geometry import Band
from inference.labels import LABELS, NUM_CLASSES

DEFAULT_WEIGHTS = Path(__file__).resolve().parent / "weights" / "eye_cnn.keras"


@dataclass(frozen=True)
class EyeClassifier:
    model: object  # keras.Model (kept untyped so importing this module stays light)
    card: dict
    band: Band

    @classmethod
    def load(cls, weights: str | Path) -> EyeClassifier:
        weights = Path(weights)
        card_path = weights.with_suffix(".json")
        for path in (weights, card_path):
            if not path.is_file():
                raise FileNotFoundError(f"{path}: model file not found")
        card = json.loads(card_path.read_text())
        if tuple(card.get("labels", ())) != LABELS:
            raise ValueError(f"{card_path}: label order {card.get('labels')} differs from {list(LABELS)}")
        import keras

        import inference.augment  # noqa: F401 (registers EyeAugment, a layer of models trained with it)

        model = keras.saving.load_model(weights, compile=False)
        band = Band.from_dict(card["band"])
        if tuple(model.input_shape[1:3]) != band.shape:
            raise ValueError(f"{weights}: input {model.input_shape[1:3]} does not match card band {band.shape}")
        return cls(model, card, band)

    @classmethod
    def from_default(cls) -> EyeClassifier:
        return cls.load(DEFAULT_WEIGHTS)

    @property
    def labels(self) -> tuple[str, ...]:
        return LABELS

    def predict_bands(self, bands: np.ndarray, flip: bool = True) -> np.ndarray:
        """(N, h, w) uint8 bands cut with `self.band` -> (N, 7) float probabilities (flip-averaged
        unless `flip=False`)."""
        from inference.model import predict_tta

        bands = np.asarray(bands)
        if bands.ndim != 3 or bands.shape[1:] != self.band.shape:
            raise ValueError(f"expected bands of shape (N, {self.band.height}, {self.band.width}), got {bands.shape}")
        if len(bands) == 0:
            return np.zeros((0, NUM_CLASSES))
        return predict_tta(self.model, bands, flip=flip)

    def predict_faces(self, faces: np.ndarray) -> np.ndarray:
        """(N, 48, 48) uint8 aligned faces -> (N, 7) probabilities, via the card's band."""
        from inference.eyedb import cut_bands

        return self.predict_bands(cut_bands(np.asarray(faces), self.band))
