"""The figures of docs/model.md "What the layers see": for one PublicTest face of each class (the first
the model gets right), a sheet with the band, its occlusion saliency, and the mosaics of the last
convolution of each block, each tile at its own size.

    python research/feature_maps.py ../shared/data/fer2013/fer2013.csv.gz --out docs/images/features

`python -m inference features IMAGE --out DIR` writes the same pictures, every layer, for any one face.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from inference.classifier import EyeClassifier
from inference.lab.features import feature_maps, mosaic, occlusion_saliency, overlay
from inference.lab.fer2013 import load_fer2013
from inference.labels import LABELS

WIDTH = 400  # px of each sheet


def sheet(parts: list[np.ndarray]) -> np.ndarray:
    rows = []
    for part in parts:
        part = part if part.ndim == 3 else cv2.cvtColor(part, cv2.COLOR_GRAY2BGR)
        scale = WIDTH / part.shape[1]
        rows.append(cv2.resize(part, (WIDTH, round(part.shape[0] * scale)), interpolation=cv2.INTER_NEAREST))
        rows.append(np.full((6, WIDTH, 3), 255, np.uint8))
    return np.vstack(rows[:-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path)
    parser.add_argument("--out", type=Path, default=Path("docs/images/features"))
    args = parser.parse_args()
    classifier = EyeClassifier.from_default()
    test = load_fer2013(args.data).split("PublicTest")
    bands = classifier.band.cut(test.images)
    top = np.argmax(classifier.predict_bands(bands, flip=False), axis=1)
    args.out.mkdir(parents=True, exist_ok=True)
    for k, label in enumerate(LABELS):
        i = int(np.flatnonzero((test.labels == k) & (top == k))[0])
        band = bands[i]
        saliency, _, probs = occlusion_saliency(lambda b: classifier.predict_bands(b, flip=False), band)
        maps = dict(feature_maps(classifier.model, band))
        lasts = [mosaic(maps[f"block{b}_conv2"], scale=1) for b in (1, 2, 3)]
        picture = sheet(
            [cv2.resize(band, None, fx=8, fy=8, interpolation=cv2.INTER_NEAREST), overlay(band, saliency), *lasts]
        )
        # a 64-colour palette keeps the committed figures small (the mosaics are grey, the saliency coarse)
        Image.fromarray(picture[..., ::-1]).quantize(colors=64).save(args.out / f"{label}.png", optimize=True)
        print(f"{label}: PublicTest face {i}, p={probs[k]:.2f} -> {args.out / f'{label}.png'}")


if __name__ == "__main__":
    main()
