"""Test-time views beyond the mirror image: do shifted / scaled copies of each face help the eye CNN?

    python research/tta_views.py [--weights W]

Each view warps the whole 48x48 face (shift in pixels, scale about the centre), cuts the card's band
and is classified with flip averaging; sums of views are scored on PublicTest (to choose) and
PrivateTest (to report). Slow on 2 cores: 11 views x 2 splits x 3589 faces (~9 minutes).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import cv2
import numpy as np

from inference.classifier import DEFAULT_WEIGHTS, EyeClassifier, accelerate
from inference.lab.fer2013 import load_fer2013

REPO = Path(__file__).resolve().parents[1]

VIEWS = [
    (0, 0, 1.0),
    (1, 0, 1.0),
    (-1, 0, 1.0),
    (0, 1, 1.0),
    (0, -1, 1.0),
    (0, 0, 1.05),
    (0, 0, 0.95),
    (2, 0, 1.0),
    (-2, 0, 1.0),
    (0, 2, 1.0),
    (0, -2, 1.0),
]
SETS = {
    "shifts of 1 px": VIEWS[:5],
    "shifts of 1 px + scales": VIEWS[:7],
    "shifts of 2 px": [VIEWS[0], *VIEWS[7:]],
    "scales 0.95, 1, 1.05": [VIEWS[0], VIEWS[5], VIEWS[6]],
    "all 11": VIEWS,
}


def view(faces: np.ndarray, dx: float, dy: float, scale: float) -> np.ndarray:
    if (dx, dy, scale) == (0, 0, 1.0):
        return faces
    m = np.array([[scale, 0, 23.5 * (1 - scale) + dx], [0, scale, 23.5 * (1 - scale) + dy]], np.float32)
    return np.stack(
        [cv2.warpAffine(f, m, (48, 48), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE) for f in faces]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weights", default=str(DEFAULT_WEIGHTS))
    parser.add_argument("--data", default=str(REPO.parent / "shared" / "data" / "fer2013" / "fer2013.csv.gz"))
    args = parser.parse_args()
    clf = accelerate(EyeClassifier.load(args.weights))
    faces = load_fer2013(args.data, cache_dir=str(REPO / "data"))
    print("| views | PublicTest | PrivateTest |\n| --- | ---: | ---: |")
    scores: dict[str, list[float]] = {}
    for split in ("PublicTest", "PrivateTest"):
        d = faces.split(split)
        probs = {v: clf.predict_bands(clf.band.cut(view(d.images, *v)), flip=True) for v in VIEWS}

        def accuracy(p, labels=d.labels):
            return float((p.argmax(1) == labels).mean())

        scores.setdefault("none (band alone)", []).append(
            accuracy(clf.predict_bands(clf.band.cut(d.images), flip=False))
        )
        scores.setdefault("mirror only (shipped)", []).append(accuracy(probs[VIEWS[0]]))
        for name, views in SETS.items():
            scores.setdefault(name + ", each with its mirror", []).append(accuracy(sum(probs[v] for v in views)))
    for name, (public, private) in scores.items():
        print(f"| {name} | {public:.4f} | {private:.4f} |")


if __name__ == "__main__":
    main()
