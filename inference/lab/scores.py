"""How well a model reads a split: accuracy, macro-F1, per-class precision and recall, the confusion
matrix, and its picture."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from inference.labels import LABELS, NUM_CLASSES


@dataclass(frozen=True)
class Scores:
    accuracy: float
    macro_f1: float
    per_class: dict[str, dict[str, float]]  # label -> precision, recall, f1, support
    confusion: list[list[int]]  # rows: true label, columns: predicted label

    def to_dict(self) -> dict:
        return asdict(self)


def score(labels: np.ndarray, predicted: np.ndarray) -> Scores:
    confusion = np.zeros((NUM_CLASSES, NUM_CLASSES), dtype=np.int64)
    np.add.at(confusion, (labels.astype(np.int64), predicted.astype(np.int64)), 1)
    hits = np.diag(confusion).astype(float)
    precision = hits / np.maximum(confusion.sum(axis=0), 1)
    recall = hits / np.maximum(confusion.sum(axis=1), 1)
    f1 = 2 * precision * recall / np.maximum(precision + recall, 1e-12)
    present = confusion.sum(axis=1) > 0
    per_class = {
        label: {
            "precision": round(float(precision[i]), 4),
            "recall": round(float(recall[i]), 4),
            "f1": round(float(f1[i]), 4),
            "support": int(confusion[i].sum()),
        }
        for i, label in enumerate(LABELS)
    }
    accuracy = float(hits.sum() / max(confusion.sum(), 1))
    return Scores(round(accuracy, 4), round(float(f1[present].mean()), 4), per_class, confusion.tolist())


def save_confusion_png(scores: Scores, path: str | Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    confusion = np.array(scores.confusion)
    rates = confusion / np.maximum(confusion.sum(axis=1, keepdims=True), 1)
    fig, ax = plt.subplots(figsize=(6.4, 5.6))
    ax.imshow(rates, cmap="Blues", vmin=0, vmax=1)
    for (i, j), n in np.ndenumerate(confusion):
        ax.text(
            j,
            i,
            f"{n}\n{rates[i, j]:.0%}",
            ha="center",
            va="center",
            fontsize=7,
            color="white" if rates[i, j] > 0.5 else "black",
        )
    ax.set_xticks(range(NUM_CLASSES), LABELS, rotation=45)
    ax.set_yticks(range(NUM_CLASSES), LABELS)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(f"{title}\naccuracy {scores.accuracy:.3f}, macro-F1 {scores.macro_f1:.3f}", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
