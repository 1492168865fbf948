"""What each layer of the eye CNN extracts from one eye band (the seed paper's Section 3.3), and which
part of the band decided the top class.

`feature_maps` reads the activations after each convolution (its ReLU) and each pooling layer with one
forward pass of a Keras sub-model, so it runs on any Keras backend. `occlusion_saliency` is the image-
space map: how much the top class's probability falls when a grey patch hides each place. It needs only
forward passes (no gradients, so no backend-specific code), at the price of a coarser map than
gradient x input; all patches go in one batch.
"""

from __future__ import annotations

import math

import numpy as np

from inference.labels import LABELS

PATCH, STRIDE = 8, 2  # occlusion patch and step, in band pixels


def layer_outputs(model) -> list[tuple[str, object]]:
    """(name, Keras tensor) of each convolution's activation and each pooling layer, in order."""
    import keras

    if not any(isinstance(layer, keras.layers.Conv2D) for layer in model.layers):
        model = next(layer for layer in model.layers if isinstance(layer, keras.Model))  # an ensemble's first member
    picked, block, conv = [], 1, 0
    for layer in model.layers:
        if isinstance(layer, keras.layers.ReLU) and len(layer.output.shape) == 4:
            conv += 1
            picked.append((f"block{block}_conv{conv}", layer.output))
        elif isinstance(layer, keras.layers.MaxPooling2D):
            picked.append((f"block{block}_pool", layer.output))
            block, conv = block + 1, 0
    return [(name, tensor) for name, tensor in picked], model


def feature_maps(model, band: np.ndarray) -> list[tuple[str, np.ndarray]]:
    """[(layer name, (h, w, channels) activations)] for one uint8 band."""
    import keras

    picked, model = layer_outputs(model)
    probe = keras.Model(model.inputs, [tensor for _, tensor in picked])
    outputs = probe([band[None, ..., None].astype("float32")], training=False)
    return [(name, keras.ops.convert_to_numpy(out)[0]) for (name, _), out in zip(picked, outputs)]


def mosaic(maps: np.ndarray, scale: int | None = None) -> np.ndarray:
    """All channels of (h, w, c) activations side by side in a grid, each stretched to 0..255 on its own."""
    h, w, c = maps.shape
    cols = math.ceil(math.sqrt(c * h / w))  # a roughly square picture
    rows = math.ceil(c / cols)
    scale = scale or max(1, 96 // max(h, w))
    tile_h, tile_w = h * scale + 1, w * scale + 1
    out = np.full((rows * tile_h + 1, cols * tile_w + 1), 255, np.uint8)
    for k in range(c):
        m = maps[..., k]
        span = float(m.max() - m.min())
        tile = np.zeros_like(m) if span == 0 else (m - m.min()) / span * 255
        tile = np.kron(tile, np.ones((scale, scale))).astype(np.uint8)
        r, q = divmod(k, cols)
        out[1 + r * tile_h : 1 + r * tile_h + h * scale, 1 + q * tile_w : 1 + q * tile_w + w * scale] = tile
    return out


def occlusion_saliency(predict, band: np.ndarray) -> tuple[np.ndarray, int, np.ndarray]:
    """(saliency (h, w) in 0..1, top class, probabilities): the fall of the top class's probability
    when a PATCH x PATCH grey square covers each place, averaged over the patches covering a pixel."""
    base = predict(band[None])[0]
    top = int(np.argmax(base))
    h, w = band.shape
    spots = [(y, x) for y in range(0, h - PATCH + 1, STRIDE) for x in range(0, w - PATCH + 1, STRIDE)]
    hidden = np.repeat(band[None], len(spots), axis=0)
    for i, (y, x) in enumerate(spots):
        hidden[i, y : y + PATCH, x : x + PATCH] = 128
    fall = base[top] - predict(hidden)[:, top]
    total, count = np.zeros((h, w)), np.zeros((h, w))
    for (y, x), f in zip(spots, fall):
        total[y : y + PATCH, x : x + PATCH] += max(float(f), 0.0)
        count[y : y + PATCH, x : x + PATCH] += 1
    saliency = total / np.maximum(count, 1)
    peak = saliency.max()
    return (saliency / peak if peak > 0 else saliency), top, base


def overlay(band: np.ndarray, saliency: np.ndarray, scale: int = 8) -> np.ndarray:
    """The band in grey with the saliency as a colour map over it, enlarged."""
    import cv2

    grey = cv2.cvtColor(band, cv2.COLOR_GRAY2BGR)
    heat = cv2.applyColorMap((saliency * 255).astype(np.uint8), cv2.COLORMAP_JET)
    mixed = cv2.addWeighted(grey, 0.55, heat, 0.45, 0)
    return cv2.resize(mixed, (band.shape[1] * scale, band.shape[0] * scale), interpolation=cv2.INTER_NEAREST)


def label_of(index: int) -> str:
    return LABELS[index]
