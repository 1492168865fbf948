"""What the training augmentation costs per step, on whichever Keras backend is active: a small
conv net on 48x28 bands trained with no augmentation, with each of Keras' own augmentation layers,
and with `inference.augment.EyeAugment` (which replaced them). Usage:
    KERAS_BACKEND=jax python research/augment_cost.py [--batch 64] [--steps 12] [--width 32]
                                                      [--fail-above MS] [--only-eye]
    python research/augment_cost.py --sharpness ../shared/data/fer2013/fer2013.csv.gz   # blur of each geometry
With --fail-above, exits 1 when EyeAugment's step takes longer than MS milliseconds (a check to run
before a long training run on an unfamiliar machine).
"""

import argparse
import time

import numpy as np


def laplacian(images: np.ndarray) -> float:
    v = images[:, 2:-2, 2:-2, 0]  # away from the repeated edges
    return float(
        np.abs(4 * v[:, 1:-1, 1:-1] - v[:, :-2, 1:-1] - v[:, 2:, 1:-1] - v[:, 1:-1, :-2] - v[:, 1:-1, 2:]).mean()
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--steps", type=int, default=12)
    parser.add_argument("--width", type=int, default=32, help="channels of the one conv layer")
    parser.add_argument("--fail-above", type=float, help="exit 1 when EyeAugment's step takes longer (ms)")
    parser.add_argument("--only-eye", action="store_true", help="time no augmentation and EyeAugment only")
    parser.add_argument("--sharpness", metavar="FER2013", help="print how much each geometry blurs real bands instead")
    args = parser.parse_args()
    import keras
    from keras import layers

    from inference.augment import EyeAugment

    keras_layers = {  # what the eye CNN used before EyeAugment, with the same ranges
        "keras RandomFlip": layers.RandomFlip("horizontal", seed=1),
        "keras RandomTranslation": layers.RandomTranslation(0.08, 0.08, fill_mode="nearest", seed=1),
        "keras RandomRotation": layers.RandomRotation(0.025, fill_mode="nearest", seed=1),
        "keras RandomBrightness": layers.RandomBrightness(0.15, value_range=(0.0, 255.0), seed=1),
        "keras RandomContrast": layers.RandomContrast(0.25, value_range=(0.0, 255.0), seed=1),
    }
    if args.sharpness:
        from inference.lab.fer2013 import load_fer2013

        bands = load_fer2013(args.sharpness, cache_dir="data").images[:512, 4:32].astype("float32")[..., None]
        keras_geometry = keras.Sequential(
            [keras_layers["keras RandomTranslation"], keras_layers["keras RandomRotation"]]
        )
        print("mean absolute Laplacian of 512 eye bands (higher: sharper)")
        print(f"unchanged                     {laplacian(bands):6.1f}")
        print(f"keras translation + rotation  {laplacian(np.asarray(keras_geometry(bands, training=True))):6.1f}")
        eye = EyeAugment(brightness=0, contrast=0, flip=False, seed=1)
        print(f"EyeAugment geometry           {laplacian(np.asarray(eye(bands, training=True))):6.1f}")
        return 0

    rng = np.random.default_rng(0)
    n = args.batch * args.steps
    x = rng.integers(0, 256, (n, 28, 48, 1)).astype("float32")
    y = keras.utils.to_categorical(rng.integers(0, 7, n), 7)
    candidates = {
        "none": None,
        **({} if args.only_eye else keras_layers),
        "EyeAugment (all of the above)": EyeAugment(dtype="float32"),
    }
    print(f"backend {keras.backend.backend()}, batch {args.batch}, conv width {args.width}")
    for name, augment in candidates.items():
        inputs = keras.Input((28, 48, 1))
        h = augment(inputs) if augment is not None else inputs
        h = layers.Conv2D(args.width, 3, activation="relu")(h)
        outputs = layers.Dense(7, activation="softmax")(layers.Flatten()(h))
        model = keras.Model(inputs, outputs)
        model.compile("sgd", "categorical_crossentropy")
        model.fit(x[: 2 * args.batch], y[: 2 * args.batch], batch_size=args.batch, epochs=1, verbose=0)  # compile
        start = time.perf_counter()
        model.fit(x, y, batch_size=args.batch, epochs=1, verbose=0)
        step_ms = 1000 * (time.perf_counter() - start) / args.steps
        print(f"{name:32s} {step_ms:8.1f} ms/step", flush=True)
    if args.fail_above is not None and step_ms > args.fail_above:
        print(f"EyeAugment takes {step_ms:.1f} ms a step, more than {args.fail_above:g}: too slow to train here")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
