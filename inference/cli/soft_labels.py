"""`python -m inference soft-labels --teacher W --data FER2013 --out FILE.npz`: a teacher's probabilities
for every Training face (flip-averaged, float16), the targets of a distilled student (`train --teacher`)."""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--teacher", required=True, help="the teacher's .keras (its card gives its band)")
    parser.add_argument("--data", required=True, help="FER2013 CSV(.gz) or image tree")
    parser.add_argument("--out", required=True, help="the soft-label file to write (.npz)")
    parser.add_argument("--cache-dir", default="data", help="where the parsed FER2013 CSV is cached ('' = none)")


def main(args: argparse.Namespace) -> int:
    import numpy as np

    from inference.classifier import EyeClassifier
    from inference.distill import save_soft_labels
    from inference.eyedb import load_bands

    teacher = EyeClassifier.load(args.teacher)
    training = load_bands(args.data, teacher.band, cache_dir=args.cache_dir or None).split("Training")
    probs = teacher.predict_bands(training.images, flip=True, calibrated=False)
    save_soft_labels(args.out, probs, training.labels, args.teacher)
    agree = float(np.mean(np.argmax(probs, axis=1) == training.labels))
    print(f"wrote {args.out}: {len(training)} Training faces; the teacher agrees with {agree:.1%} of their labels")
    return 0
