"""The eye CNN at run time: `EyeClassifier` (a trained .keras model plus its model card, the .json
beside it), `load_classifier`, and `accelerate`, which swaps in a TensorFlow Lite copy (`LiteModel`).

clf = accelerate(load_classifier())           # inference/weights/eye_cnn.keras, on TF Lite
probs = clf.predict_bands(bands)              # (N, h, w) uint8 -> (N, 7), flip-averaged
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import json
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from inference.geometry import Band, cut_bands
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

    def predict_bands(self, bands: np.ndarray, flip: bool = True, calibrated: bool = True) -> np.ndarray:
        """(N, h, w) uint8 bands cut with `self.band` -> (N, 7) float probabilities (flip-averaged
        unless `flip=False`), temperature-scaled when the card carries a calibration."""
        bands = np.asarray(bands)
        if bands.ndim != 3 or bands.shape[1:] != self.band.shape:
            raise ValueError(f"expected bands of shape (N, {self.band.height}, {self.band.width}), got {bands.shape}")
        if len(bands) == 0:
            return np.zeros((0, NUM_CLASSES))
        probs = predict_tta(self.model, bands, flip=flip)
        return apply_temperature(probs, self.temperature(flip)) if calibrated else probs

    def temperature(self, flip: bool) -> float:
        """The card's fitted temperature for this averaging mode (1 = uncalibrated)."""
        temperatures = self.card.get("calibration", {}).get("temperature", {})
        return float(temperatures.get("flip" if flip else "single", 1.0))

    def predict_faces(self, faces: np.ndarray) -> np.ndarray:
        """(N, 48, 48) uint8 aligned faces -> (N, 7) probabilities, via the card's band."""
        return self.predict_bands(cut_bands(np.asarray(faces), self.band))


def record_in_card(weights: str | Path, key: str, value, section: str | None = None) -> Path:
    """Store `value` under `key` (inside `section` when given) in the model card beside `weights`;
    returns the card's path. The other entries are kept."""
    card_path = Path(weights).with_suffix(".json")
    card = json.loads(card_path.read_text())
    (card.setdefault(section, {}) if section else card)[key] = value
    card_path.write_text(json.dumps(card, indent=2) + "\n")
    return card_path


def load_classifier(weights: str | None = None):
    """The eye CNN (an EyeClassifier): default weights, or those at `weights`.
    FileNotFoundError when the weights are missing."""
    return EyeClassifier.from_default() if weights is None else EyeClassifier.load(weights)


class LiteModel:
    """A Keras model compiled to TensorFlow Lite (XNNPACK, `threads` threads), callable like the
    Keras model (`model(x, training=False)` -> numpy). On a CPU it runs the eye CNN cheaper than
    Keras eager calls and leaves no TF thread pool spinning next to MediaPipe (docs/model.md).

    Re-allocating an interpreter for a new batch size is slow (XNNPACK repacks the weights), so
    inputs run in chunks of `chunk` rows, the last one zero-padded to a power of two, each size with
    its own interpreter, made once: at most log2(chunk) + 1 of them, whatever batch sizes the callers send."""

    def __init__(self, keras_model, threads: int = 1, chunk: int = 64) -> None:
        import tensorflow as tf

        if chunk < 1 or chunk & (chunk - 1):
            raise ValueError(f"chunk must be a power of two, got {chunk}")
        with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the export chatter and tf.lite's deprecation notice
            self._content = tf.lite.TFLiteConverter.from_keras_model(keras_model).convert()
        self.threads, self.chunk = threads, chunk
        self._interpreters: dict[int, tuple] = {}  # padded batch size -> (interpreter, input, output)

    def _interpreter(self, shape: tuple[int, ...]):
        if shape[0] not in self._interpreters:
            import tensorflow as tf

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                interpreter = tf.lite.Interpreter(model_content=self._content, num_threads=self.threads)
            index = interpreter.get_input_details()[0]["index"]
            interpreter.resize_tensor_input(index, shape)
            interpreter.allocate_tensors()
            self._interpreters[shape[0]] = (interpreter, index, interpreter.get_output_details()[0]["index"])
        return self._interpreters[shape[0]]

    def __call__(self, x, training: bool = False) -> np.ndarray:
        x = np.ascontiguousarray(x, dtype=np.float32)
        outputs = []
        for start in range(0, len(x), self.chunk):
            part = x[start : start + self.chunk]
            n, size = len(part), 1 << (len(part) - 1).bit_length()  # rows, next power of two
            if size != n:
                part = np.concatenate([part, np.zeros((size - n, *part.shape[1:]), np.float32)])
            interpreter, input_index, output_index = self._interpreter(part.shape)
            interpreter.set_tensor(input_index, part)
            interpreter.invoke()
            outputs.append(interpreter.get_tensor(output_index)[:n].copy())
        return np.concatenate(outputs) if outputs else np.zeros((0, 0), np.float32)


def accelerate(classifier, threads: int = 1):
    """The same EyeClassifier with its Keras model swapped for a LiteModel, if (and only if) the
    two give the same probabilities (|diff| <= 1e-4 on random bands); otherwise the original.
    Conversion takes seconds: a worker serving many jobs should accelerate once and pass the result
    as `classifier=` (one per thread: a TF Lite interpreter is not thread-safe). Models computing in
    bfloat16 (mixed-precision training) are left alone: TF Lite has no bf16 kernels, a float32 copy
    would not give the same probabilities, and oneDNN's bf16 path is about as fast (docs/model.md)."""
    if not (dataclasses.is_dataclass(classifier) and hasattr(classifier, "model")):
        return classifier
    if isinstance(classifier.model, LiteModel) or not _float32(classifier.model):
        return classifier
    try:
        fast = dataclasses.replace(classifier, model=LiteModel(classifier.model, threads))
        probe = np.random.default_rng(0).integers(0, 256, (8, *classifier.band.shape), dtype=np.uint8)
        if np.allclose(fast.predict_bands(probe), classifier.predict_bands(probe), atol=1e-4):
            return fast
        warnings.warn("TensorFlow Lite changed the eye CNN's outputs; using Keras", stacklevel=2)
    except Exception as exc:
        first_line = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
        warnings.warn(f"TensorFlow Lite conversion failed ({first_line}); using Keras", stacklevel=2)
    return classifier


def _float32(model) -> bool:
    """True when every layer of a Keras model computes in float32."""
    layers = getattr(model, "layers", None)
    if layers is None:
        return False
    return all(
        getattr(getattr(layer, "dtype_policy", None), "compute_dtype", "float32") == "float32" for layer in layers
    )


def apply_temperature(probs: np.ndarray, temperature: float) -> np.ndarray:
    """Softmax of log(p) / T, row-wise: T > 1 softens, T < 1 sharpens, T = 1 is the identity."""
    if temperature == 1.0:
        return probs
    logits = np.log(np.clip(probs, 1e-12, 1.0)) / temperature
    logits -= logits.max(axis=1, keepdims=True)
    out = np.exp(logits)
    return out / out.sum(axis=1, keepdims=True)


def predict_tta(model, bands: np.ndarray, batch_size: int = 256, flip: bool = True) -> np.ndarray:
    """(N, h, w) uint8 bands -> (N, 7) float probabilities, averaged over each band and its mirror
    image (flip test-time augmentation; `flip=False`: the band alone, half the cost). Both views go
    in one call. Calls the model directly: no `predict` overhead on the small batches a video
    pipeline sends."""
    import keras

    out = np.zeros((len(bands), NUM_CLASSES), dtype=np.float64)
    for start in range(0, len(bands), batch_size):
        x = bands[start : start + batch_size].astype("float32")[..., None]
        views = np.concatenate([x, x[:, :, ::-1]]) if flip else x
        probs = keras.ops.convert_to_numpy(model(views, training=False))
        out[start : start + len(x)] = (probs[: len(x)] + probs[len(x) :]) / 2 if flip else probs
    return out
