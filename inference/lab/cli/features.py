"""`python -m inference features IMAGE --out DIR [--weights W]`: what each layer of the eye CNN sees.

IMAGE is an eye band of the model's size, or an aligned face crop (read as grey, resized to the 48x48
frame, and cut to the band). Writes DIR/input.png, one mosaic PNG per convolution and pooling layer
(every channel's activation, each stretched to its own range), DIR/saliency.png (occlusion saliency
of the top class over the band) and DIR/features.json (the probabilities and what each file holds).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("image", metavar="IMAGE")
    parser.add_argument("--out", required=True, type=Path, metavar="DIR")
    parser.add_argument("--weights", help=".keras file with its card beside it (default: the bundled eye CNN)")


def read_band(path: str, band) -> np.ndarray:
    import cv2

    from inference.cli.predict import read_face

    image = cv2.imread(path, cv2.IMREAD_GRAYSCALE) if Path(path).is_file() else None
    if image is not None and image.shape == band.shape:
        return image
    return band.cut(read_face(path)[None])[0]  # an aligned face: the band rows of its 48x48 frame


def main(args: argparse.Namespace) -> int:
    import cv2

    from inference.classifier import EyeClassifier
    from inference.lab.features import feature_maps, label_of, mosaic, occlusion_saliency, overlay

    classifier = EyeClassifier.load(args.weights) if args.weights else EyeClassifier.from_default()
    band = read_band(args.image, classifier.band)
    args.out.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(args.out / "input.png"), cv2.resize(band, None, fx=8, fy=8, interpolation=cv2.INTER_NEAREST))
    layers = []
    for i, (name, maps) in enumerate(feature_maps(classifier.model, band), start=1):
        file = f"{i:02d}_{name}.png"
        cv2.imwrite(str(args.out / file), mosaic(maps))
        layers.append(
            {"file": file, "layer": name, "height": maps.shape[0], "width": maps.shape[1], "channels": maps.shape[2]}
        )
    saliency, top, probs = occlusion_saliency(lambda b: classifier.predict_bands(b, flip=False), band)
    cv2.imwrite(str(args.out / "saliency.png"), overlay(band, saliency))
    summary = {
        "image": str(args.image),
        "top": label_of(top),
        "probabilities": {label_of(k): round(float(p), 4) for k, p in enumerate(probs)},
        "layers": layers,
        "saliency": "saliency.png: occlusion saliency of the top class (red: hiding it lowers the class most)",
    }
    (args.out / "features.json").write_text(json.dumps(summary, indent=1))
    print(f"{args.out}: {len(layers)} layer mosaics and saliency.png; top class {summary['top']} ({probs[top]:.2f})")
    return 0
