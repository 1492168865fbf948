"""Knowledge distillation: a teacher's probabilities for every Training face, and the student's targets.

The teacher (e.g. a CNN on the whole 48x48 face) is run once over the Training split; its flip-averaged
probabilities are stored as float16 (about 400 KB for FER2013's 28,709 faces) with a checksum of the
labels they belong to, so they cannot be paired with other faces. The student is trained on
(1 - alpha) x its hard label + alpha x the teacher's distribution softened by a temperature T
(p ** (1 / T), renormalised: the same as softmax(logits / T)). A higher T shares more of what the
teacher knows about the wrong classes, at the price of a blurrier signal about the right one.

Mixing the targets trains the student's own outputs towards the blurred mix, so its top class competes
with a flattened target. `DistillationLoss` is Hinton's form instead: cross-entropy on the hard label
plus T^2 x KL between teacher and student both softened by T, so only the softened student has to
match the teacher and its unsoftened output stays free to be confident.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path

import keras
import numpy as np
from keras import ops

from inference.labels import NUM_CLASSES


def labels_digest(labels: np.ndarray) -> str:
    return hashlib.sha256(np.asarray(labels, dtype=np.int64).tobytes()).hexdigest()[:16]


def save_soft_labels(
    path: str | Path, probs: np.ndarray, labels: np.ndarray, teacher: str, scores: dict | None = None
) -> None:
    """`scores`: the teacher's own test scores, kept with its labels since the teacher is not kept."""
    if probs.shape != (len(labels), NUM_CLASSES):
        raise ValueError(f"expected ({len(labels)}, {NUM_CLASSES}) probabilities, got {probs.shape}")
    np.savez_compressed(
        path,
        probs=probs.astype(np.float16),
        digest=labels_digest(labels),
        teacher=str(teacher),
        count=len(labels),
        scores=json.dumps(scores or {}),
    )


def soft_label_scores(path: str | Path) -> dict:
    """The teacher's scores stored with its soft labels: split -> {accuracy, macro_f1}; {} if none."""
    data = np.load(path)
    return json.loads(str(data["scores"])) if "scores" in data else {}


def teacher_probabilities(teachers: Sequence[str | Path], data: str | Path, split: str, cache_dir: str | None = "data"):
    """(labels, probabilities) of `split`: each teacher reads the faces cut to its own band (a full-face
    teacher and an eye model can be averaged), flip-averaged and uncalibrated, and the teachers' mean
    is returned. Averaging models that see different parts of the face gives a stronger teacher than
    either, at the cost of running each over the faces once."""
    from inference.classifier import EyeClassifier

    from .eyedb import load_bands

    labels, total = None, 0.0
    for teacher in teachers:
        model = EyeClassifier.load(teacher)
        faces = load_bands(data, model.band, cache_dir=cache_dir).split(split)
        if labels is not None and labels_digest(labels) != labels_digest(faces.labels):
            raise ValueError(f"{teacher}: its {split} faces differ from the first teacher's")
        labels = faces.labels
        total = total + model.predict_bands(faces.images, flip=True, calibrated=False)
    if labels is None:
        raise ValueError("no teacher given")
    return labels, total / len(teachers)


def write_soft_labels(
    teachers: str | Path | Sequence[str | Path], data: str | Path, out: str | Path, cache_dir: str | None = "data"
) -> float:
    """Runs the teacher, or the mean of several, over the Training faces of `data`, saves the
    probabilities to `out` with the teacher's PublicTest and PrivateTest scores (flip-averaged) and
    returns how often their top class is the label."""
    from .scores import score

    teachers = [teachers] if isinstance(teachers, str | Path) else list(teachers)
    scores = {}
    for split in ("PublicTest", "PrivateTest"):
        split_labels, split_probs = teacher_probabilities(teachers, data, split, cache_dir)
        if len(split_labels):
            result = score(split_labels, split_probs.argmax(axis=1))
            scores[split] = {"accuracy": round(result.accuracy, 4), "macro_f1": round(result.macro_f1, 4)}
    labels, probs = teacher_probabilities(teachers, data, "Training", cache_dir)
    save_soft_labels(out, probs, labels, " + ".join(map(str, teachers)), scores)
    return float(np.mean(np.argmax(probs, axis=1) == labels))


def load_soft_labels(path: str | Path, labels: np.ndarray) -> np.ndarray:
    """The teacher's probabilities for exactly these Training labels, as float32, or ValueError."""
    data = np.load(path)
    if str(data["digest"]) != labels_digest(labels):
        raise ValueError(f"{path}: soft labels of other faces ({int(data['count'])}), not these {len(labels)}")
    return data["probs"].astype(np.float32)


def soften(probs: np.ndarray, temperature: float) -> np.ndarray:
    logp = np.log(np.clip(probs.astype(np.float64), 1e-8, 1.0)) / temperature
    logp -= logp.max(axis=1, keepdims=True)
    p = np.exp(logp)
    return (p / p.sum(axis=1, keepdims=True)).astype(np.float32)


def targets(
    labels: np.ndarray, teacher: np.ndarray | None, alpha: float, temperature: float, loss: str = "targets"
) -> np.ndarray:
    """Training targets: one-hot labels, mixed with the softened teacher when one is given (`loss`
    "targets"), or side by side with it, (N, 2 x classes), for `DistillationLoss` ("logits")."""
    hard = np.eye(NUM_CLASSES, dtype=np.float32)[labels]
    if loss == "logits":
        # without a teacher the second half is the label itself, e.g. for validation targets
        return np.concatenate([hard, hard if teacher is None else soften(teacher, temperature)], axis=1)
    if teacher is None or alpha == 0:
        return hard
    return (1 - alpha) * hard + alpha * soften(teacher, temperature)


@keras.saving.register_keras_serializable(package="eyeclass")
class DistillationLoss(keras.losses.Loss):
    """(1 - alpha) x cross-entropy(label) + alpha x T^2 x KL(teacher_T || student_T), on targets made by
    `targets(..., loss="logits")`. The student's logits are recovered as log(p) from its softmax output,
    so the model keeps one output; T^2 keeps the soft term's gradients on the hard term's scale."""

    def __init__(self, alpha=0.5, temperature=2.0, label_smoothing=0.0, name="distillation", **kwargs):
        super().__init__(name=name, **kwargs)
        self.alpha, self.temperature, self.label_smoothing = alpha, temperature, label_smoothing

    def call(self, y_true, y_pred):
        hard, soft = y_true[:, :NUM_CLASSES], y_true[:, NUM_CLASSES:]
        y_pred = ops.clip(y_pred, 1e-7, 1.0)
        ce = keras.losses.categorical_crossentropy(hard, y_pred, label_smoothing=self.label_smoothing)
        student = ops.log_softmax(ops.log(y_pred) / self.temperature, axis=-1)
        kl = ops.sum(soft * (ops.log(ops.clip(soft, 1e-7, 1.0)) - student), axis=-1)
        return (1 - self.alpha) * ce + self.alpha * self.temperature**2 * kl

    def get_config(self):
        return super().get_config() | {
            "alpha": self.alpha,
            "temperature": self.temperature,
            "label_smoothing": self.label_smoothing,
        }
