"""Time a few training steps of the eye CNN for one configuration (used to pick widths, batch
size and precision for the CPU run). Usage:
    python research/time_steps.py --widths 32,64,128 --batch 64 --steps 60 [--bf16] [--rows 4,32] [--no-augment]
Runs on whichever Keras backend KERAS_BACKEND names (tensorflow by default, jax where installed).
"""

import argparse
import time

import numpy as np


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--widths", default="32,64,128")
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--rows", default="4,32")
    parser.add_argument("--bf16", action="store_true")
    parser.add_argument("--no-augment", dest="augment", action="store_false", help="leave the augmentation out")
    args = parser.parse_args()
    import keras

    if args.bf16:
        keras.mixed_precision.set_global_policy("mixed_bfloat16")
    from inference.lab.model import ModelConfig, build_model

    top, bottom = map(int, args.rows.split(","))
    shape = (bottom - top, 48)
    model = build_model(shape, ModelConfig(widths=tuple(map(int, args.widths.split(","))), augment=args.augment))
    model.compile(optimizer=keras.optimizers.SGD(0.01, momentum=0.9), loss="categorical_crossentropy")
    rng = np.random.default_rng(0)
    n = args.batch * args.steps
    x = rng.integers(0, 256, (n, *shape, 1)).astype("float32")
    y = keras.utils.to_categorical(rng.integers(0, 7, n), 7)
    model.fit(x[: args.batch * 5], y[: args.batch * 5], batch_size=args.batch, epochs=1, verbose=0)
    start = time.perf_counter()
    model.fit(x, y, batch_size=args.batch, epochs=1, verbose=0)
    per_sample = (time.perf_counter() - start) / n
    print(
        f"{keras.backend.backend()} widths={args.widths} batch={args.batch} bf16={args.bf16} "
        f"rows={args.rows} augment={args.augment} params={model.count_params()} "
        f"ms/sample={1000 * per_sample:.3f} s/epoch(28709)={per_sample * 28709:.0f}"
    )


if __name__ == "__main__":
    main()
