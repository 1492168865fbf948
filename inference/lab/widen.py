"""Widen a trained eye CNN without changing what it computes (Net2WiderNet, Chen et al. 2016).

Each block's extra channels copy channels the model already has; the layer reading them splits the
copied channel's weights among its copies, so the wider model's outputs equal the narrow one's. The
split is random (shares summing to one) rather than equal: equal shares would give the copies equal
gradients for ever, so they would never learn anything the original did not. The trade-off against
training the wider model from random weights is that it starts where the narrow one converged, so a
short warm restart tests what the width adds, not what a long schedule does.
"""

from __future__ import annotations

import dataclasses

import keras
import numpy as np
from keras import layers

from inference.lab.model import ModelConfig, build_model


def _copies(old: int, new: int, rng: np.random.Generator) -> np.ndarray:
    """For each of the `new` channels, the old channel it copies: every old channel once, then random ones."""
    if new < old:
        raise ValueError(f"cannot narrow {old} channels to {new}")
    return np.concatenate([np.arange(old), rng.integers(0, old, new - old)])


def _shares(source: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A random share of each old channel's outgoing weights per copy; a channel's shares sum to one."""
    raw = rng.uniform(0.5, 1.5, len(source))
    return raw / np.bincount(source, weights=raw)[source]


def widen(model: keras.Model, config: ModelConfig, widths: tuple[int, ...], seed: int = 0) -> keras.Model:
    """The model rebuilt with `widths` channels per block, computing the same function at inference."""
    if len(widths) != len(config.widths):
        raise ValueError(f"widths {widths} must have one entry per block of {config.widths}")
    rng = np.random.default_rng(seed)
    wide = build_model(model.input_shape[1:3], dataclasses.replace(config, widths=tuple(widths)))
    convs = iter([w for w in widths for _ in range(2)])
    source, shares = None, None  # each current channel's channel in the narrow model, and its share
    narrow = 0  # the narrow model's number of current channels
    for old, new in zip(model.layers, wide.layers, strict=True):
        weights = old.get_weights()
        if isinstance(old, layers.Conv2D):
            kernel = weights[0]
            if source is not None:
                kernel = kernel[:, :, source, :] * shares[None, None, :, None]
            narrow = kernel.shape[-1]
            source = _copies(narrow, next(convs), rng)
            shares = _shares(source, rng)
            weights = [kernel[..., source]]
        elif isinstance(old, layers.BatchNormalization) and source is not None:
            weights = [w[source] for w in weights]
        elif isinstance(old, layers.Dense) and source is not None:
            # Flatten orders features (row, column, channel), so the channel is the fastest axis.
            kernel = weights[0].reshape(-1, narrow, weights[0].shape[-1])
            kernel = kernel[:, source, :] * shares[None, :, None]
            weights = [kernel.reshape(-1, kernel.shape[-1])] + weights[1:]
            source, shares = None, None  # the head's units keep their number
        new.set_weights(weights)
    return wide
