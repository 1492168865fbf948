"""Stochastic weight averaging (SWA, Izmailov et al. 2018): one model, about the accuracy of a small ensemble.

A run with `TrainConfig.swa` trains at a constant learning rate after its warm-up and keeps each
epoch's weights (`snapshots/NNN.npz`). `choose_average` averages the last k snapshots for every k,
re-estimates each average's BatchNormalization statistics on training faces (averaged weights
match no epoch's running statistics), scores it on PublicTest and keeps the best. The result is
one network of the same shape, so inference costs nothing extra, unlike an ensemble.
"""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np

from inference.classifier import predict_tta


class Snapshots(keras.callbacks.Callback):
    """Saves the model's weights after every epoch as `folder/NNN.npz` (NNN: epochs done)."""

    def __init__(self, folder: str | Path):
        super().__init__()
        self.folder = Path(folder)

    def on_epoch_end(self, epoch, logs=None):
        self.folder.mkdir(parents=True, exist_ok=True)
        np.savez(self.folder / f"{epoch + 1:03d}.npz", *self.model.get_weights())


def load_snapshot(path: str | Path) -> list[np.ndarray]:
    with np.load(path) as arrays:
        return [arrays[f"arr_{i}"] for i in range(len(arrays.files))]


def mean_weights(snapshots: list[list[np.ndarray]], shares: list[float] | None = None) -> list[np.ndarray]:
    """Element-wise mean of floating-point weights, each snapshot counting by its share (equal when
    none are given); other variables (e.g. random-generator state) are taken from the last snapshot."""
    return [
        np.average(np.asarray(values, np.float64), axis=0, weights=shares).astype(values[-1].dtype)
        if np.issubdtype(values[-1].dtype, np.floating)
        else values[-1]
        for values in zip(*snapshots)
    ]


def recalibrate_batchnorm(
    model: keras.Model, images: np.ndarray, batch_size: int = 64, batches: int = 128, seed: int = 0
) -> None:
    """Sets every BatchNormalization layer's moving mean and variance to the plain average of its
    batch statistics over `batches` random training batches, as the model sees them in training
    (the SWA paper's bn_update): momentum 1 - 1/k at batch k. `images`: (N, h, w, 1) float32."""
    norms = [layer for layer in model.layers if isinstance(layer, keras.layers.BatchNormalization)]
    momenta = [layer.momentum for layer in norms]
    count = min(batches, len(images) // batch_size)
    if count == 0:
        raise ValueError(f"need at least {batch_size} images to re-estimate BatchNormalization statistics")
    order = np.random.default_rng(seed).permutation(len(images))[: count * batch_size]
    try:
        for k in range(1, count + 1):
            for layer in norms:
                layer.momentum = 1.0 - 1.0 / k
            model(images[order[(k - 1) * batch_size : k * batch_size]], training=True)
    finally:
        for layer, momentum in zip(norms, momenta):
            layer.momentum = momentum


def accuracy(model: keras.Model, bands: np.ndarray, labels: np.ndarray) -> float:
    """Flip-averaged top-1 accuracy on (N, h, w) uint8 bands."""
    return float((predict_tta(model, bands).argmax(axis=1) == labels).mean())


def choose_average(
    model: keras.Model,
    snapshots: list[Path],
    train_images: np.ndarray,
    public_bands: np.ndarray,
    public_labels: np.ndarray,
    batch_size: int = 64,
) -> tuple[int, dict[int, float]]:
    """Tries the average of the last k snapshots for k = 1..len(snapshots) (k = 1: the last epoch
    alone, statistics re-estimated the same way). Leaves the best on PublicTest in `model`.
    Returns that k and PublicTest accuracy for every k."""
    if not snapshots:
        raise ValueError("no weight snapshots to average")
    loaded = [load_snapshot(path) for path in snapshots]
    scores: dict[int, float] = {}
    best_k, best_weights = 0, None
    for k in range(1, len(loaded) + 1):
        model.set_weights(mean_weights(loaded[-k:]))
        recalibrate_batchnorm(model, train_images, batch_size)
        scores[k] = round(accuracy(model, public_bands, public_labels), 4)
        if best_weights is None or scores[k] > scores[best_k]:
            best_k, best_weights = k, model.get_weights()
    model.set_weights(best_weights)
    return best_k, scores
