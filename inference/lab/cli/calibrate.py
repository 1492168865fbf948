"""`python -m inference calibrate --weights W --data FER2013.csv.gz [--record]`

Fits one temperature per averaging mode (single band, flip-averaged) on PublicTest and reports the
expected calibration error (15 bins) and log-loss on PrivateTest before and after. --record stores the
temperatures and scores in the model card, where `EyeClassifier.predict_bands` applies them.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from inference.classifier import apply_temperature
from inference.lab.calibration import ECE_BINS, expected_calibration_error, fit_temperature, nll


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--weights", required=True, help=".keras file with its model card (.json) beside it")
    parser.add_argument("--data", required=True, help="FER2013 CSV(.gz) or image tree, or an eye_db.npz")
    parser.add_argument("--record", action="store_true", help="store the temperatures in the model card")
    parser.add_argument("--cache-dir", default="data", help="where the parsed FER2013 CSV is cached ('' = none)")


def main(args: argparse.Namespace) -> int:
    from inference.classifier import EyeClassifier, record_in_card
    from inference.lab.eyedb import load_bands

    weights = Path(args.weights)
    classifier = EyeClassifier.load(weights)
    bands = load_bands(args.data, classifier.band, cache_dir=args.cache_dir or None)
    fit, report = bands.split("PublicTest"), bands.split("PrivateTest")
    if len(fit) == 0 or len(report) == 0:
        raise ValueError(f"{args.data}: needs PublicTest and PrivateTest faces")
    calibration = {"method": "temperature scaling", "fitted_on": "PublicTest", "ece_bins": ECE_BINS}
    temperatures, private = {}, {}
    print(
        f"{'mode':>7} {'T':>6} {'ECE before':>11} {'ECE after':>10} {'NLL before':>11} {'NLL after':>10}  (PrivateTest)"
    )
    for mode, flip in (("single", False), ("flip", True)):
        t = fit_temperature(classifier.predict_bands(fit.images, flip=flip, calibrated=False), fit.labels)
        raw = classifier.predict_bands(report.images, flip=flip, calibrated=False)
        scaled = apply_temperature(raw, t)
        scores = {
            "ece_before": expected_calibration_error(raw, report.labels),
            "ece_after": expected_calibration_error(scaled, report.labels),
            "nll_before": nll(raw, report.labels),
            "nll_after": nll(scaled, report.labels),
        }
        temperatures[mode], private[mode] = round(t, 4), {k: round(v, 4) for k, v in scores.items()}
        print(
            f"{mode:>7} {t:>6.3f} {scores['ece_before']:>11.4f} {scores['ece_after']:>10.4f} "
            f"{scores['nll_before']:>11.4f} {scores['nll_after']:>10.4f}"
        )
    calibration.update(temperature=temperatures, PrivateTest=private)
    if args.record:
        print(f"recorded in {record_in_card(weights, 'calibration', calibration)}")
    return 0
