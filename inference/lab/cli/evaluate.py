"""`python -m inference evaluate --weights W --data PATH --split PrivateTest [--json]`.

Prints accuracy, macro-F1 and per-class precision/recall (flip test-time averaging) and writes a
confusion-matrix PNG. --record also stores the scores in the model card beside the weights.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from inference.lab.fer2013 import SPLITS
from inference.labels import MIN_TOP_PROBABILITY


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--weights", required=True, help=".keras file with its model card (.json) beside it")
    parser.add_argument("--data", required=True, help="FER2013 CSV(.gz) or image tree, or an eye_db.npz")
    parser.add_argument("--split", default="PrivateTest", choices=SPLITS)
    parser.add_argument("--json", action="store_true", help="print the scores as JSON")
    parser.add_argument("--confusion", help="confusion matrix PNG (default: beside the weights)")
    parser.add_argument("--record", action="store_true", help="store the scores in the model card")
    parser.add_argument("--no-flip", action="store_true", help="each band alone, no mirror-image averaging")
    parser.add_argument("--cache-dir", default="data", help="where the parsed FER2013 CSV is cached ('' = none)")


def main(args: argparse.Namespace) -> int:
    from inference.classifier import EyeClassifier, record_in_card
    from inference.lab.eyedb import load_bands
    from inference.lab.scores import save_confusion_png, score

    weights = Path(args.weights)
    classifier = EyeClassifier.load(weights)
    data = load_bands(args.data, classifier.band, cache_dir=args.cache_dir or None).split(args.split)
    if len(data) == 0:
        raise ValueError(f"{args.data}: no {args.split} faces")
    flip = not args.no_flip
    probs = classifier.predict_bands(data.images, flip=flip)
    predicted = probs.argmax(axis=1)
    scores = score(data.labels, predicted)
    confident = probs.max(axis=1) >= MIN_TOP_PROBABILITY
    right = predicted == data.labels
    key = args.split if flip else f"{args.split}_no_flip"
    confusion = Path(args.confusion or weights.with_name(f"{weights.stem}.{key}.confusion.png"))
    save_confusion_png(scores, confusion, f"{weights.name} on {args.split} ({len(data)} faces)")
    result = {
        "weights": str(weights),
        "data": Path(args.data).name,
        "split": args.split,
        "faces": len(data),
        "flip_averaged": flip,
        **scores.to_dict(),
        "min_top_probability": MIN_TOP_PROBABILITY,
        "confident_fraction": float(confident.mean()),
        "confident_accuracy": float(right[confident].mean()) if confident.any() else None,
        "uncertain_accuracy": float(right[~confident].mean()) if (~confident).any() else None,
        "confusion_png": str(confusion),
    }
    if args.record:
        record_in_card(weights, key, {k: v for k, v in result.items() if k != "weights"}, section="evaluation")
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    averaging = "flip-averaged" if flip else "no flip averaging"
    print(f"{weights.name} on {args.split} of {result['data']} ({len(data)} faces, {averaging})")
    print(f"accuracy {scores.accuracy:.4f}   macro-F1 {scores.macro_f1:.4f}")
    print(f"{'class':>10} {'precision':>10} {'recall':>8} {'f1':>8} {'support':>8}")
    for label, s in scores.per_class.items():
        print(f"{label:>10} {s['precision']:>10.4f} {s['recall']:>8.4f} {s['f1']:>8.4f} {s['support']:>8}")
    print(
        f"top probability >= {MIN_TOP_PROBABILITY}: {result['confident_fraction']:.1%} of faces, accuracy "
        f"{result['confident_accuracy'] or 0:.4f}; uncertain: {result['uncertain_accuracy'] or 0:.4f}"
    )
    print(f"confusion matrix: {confusion}")
    return 0
