"""Weight interpolation of two trained eye CNNs of one lineage (a "model soup"): one network, no extra cost.

    python research/weight_soup.py A.keras B.keras [--mix 0.3 0.5 0.7] [--data FER2013.csv.gz]

B must have been trained from A (a warm restart), so both sit in one basin and a straight line between
them can score above either end. Each mix lam * A + (1 - lam) * B is scored on PublicTest, flip-averaged,
with the ends' BatchNormalization statistics interpolated too and with them re-estimated on Training
faces (`inference/lab/averaging.py`). Nothing is written; PrivateTest is not read.
"""

from __future__ import annotations

import argparse

from inference.classifier import EyeClassifier
from inference.lab.averaging import accuracy, mean_weights, recalibrate_batchnorm
from inference.lab.eyedb import load_bands
from inference.lab.training import as_input


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("a", help="the earlier model (.keras)")
    parser.add_argument("b", help="the model trained from it (.keras)")
    parser.add_argument("--mix", type=float, nargs="+", default=[0.3, 0.5, 0.7], help="weights of A")
    parser.add_argument("--data", default="../shared/data/fer2013/fer2013.csv.gz")
    args = parser.parse_args()
    a, b = EyeClassifier.load(args.a), EyeClassifier.load(args.b)
    if a.band != b.band:
        raise SystemExit("the two models read different bands")
    faces = load_bands(args.data, b.band, cache_dir="data")
    public, training = faces.split("PublicTest"), faces.split("Training")
    model, ends = b.model, [a.model.get_weights(), b.model.get_weights()]
    train_images = as_input(training.images)
    print("| A's weight | PublicTest, statistics interpolated | PublicTest, statistics re-estimated |")
    print("| ---: | ---: | ---: |")
    for lam in sorted({0.0, 1.0, *args.mix}):
        model.set_weights(mean_weights(ends, shares=[lam, 1 - lam]))
        plain = accuracy(model, public.images, public.labels)
        if lam in (0.0, 1.0):  # an end is the trained model itself
            print(f"| {lam:g} | {plain:.4f} | — |", flush=True)
            continue
        recalibrate_batchnorm(model, train_images)
        print(f"| {lam:g} | {plain:.4f} | {accuracy(model, public.images, public.labels):.4f} |", flush=True)


if __name__ == "__main__":
    main()
