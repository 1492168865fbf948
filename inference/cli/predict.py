"""`python -m inference predict IMAGE... --aligned-face [--json]`: classify face crops.

Inputs must already be face crops (FER/CK style): each is read as grayscale, resized to the
canonical 48x48 frame and the model card's band is cut from it.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from inference.geometry import FRAME_SIZE


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("images", nargs="+", metavar="IMAGE")
    parser.add_argument(
        "--aligned-face",
        action="store_true",
        required=True,
        help="the images are face crops (required: arbitrary photos go through `analyze`)",
    )
    parser.add_argument("--weights", help=".keras file with its card beside it (default: the bundled eye CNN)")
    parser.add_argument("--json", action="store_true", help="print a JSON list, one object per image")


def read_face(path: str) -> np.ndarray:
    """A face crop as a uint8 48x48 grayscale frame."""
    import cv2

    if not Path(path).is_file():
        raise FileNotFoundError(f"{path}: no such image")
    image = cv2.imread(path, cv2.IMREAD_GRAYSCALE)
    if image is None:
        raise ValueError(f"{path}: unreadable image")
    shrinking = min(image.shape) > FRAME_SIZE
    return cv2.resize(image, (FRAME_SIZE, FRAME_SIZE), interpolation=cv2.INTER_AREA if shrinking else cv2.INTER_LINEAR)


def main(args: argparse.Namespace) -> int:
    from inference.classifier import EyeClassifier

    faces = np.stack([read_face(path) for path in args.images])
    classifier = EyeClassifier.load(args.weights) if args.weights else EyeClassifier.from_default()
    probabilities = classifier.predict_faces(faces)
    results = [
        {
            "path": path,
            "label": classifier.labels[int(p.argmax())],
            "probabilities": {label: round(float(v), 4) for label, v in zip(classifier.labels, p)},
        }
        for path, p in zip(args.images, probabilities)
    ]
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        for r in results:
            print(f"{r['path']}: {r['label']} ({r['probabilities'][r['label']]:.2f})")
    return 0
