"""Would a quantized TF Lite eye CNN be faster here? Per-band time and agreement with float32.

    python research/lite_quantization.py [--weights W]

Three conversions of the same Keras model: float32 (what `classifier.accelerate` runs), dynamic-range
(int8 weights) and full int8 (calibrated on 2000 Training bands); one thread, batches of 64, on the
PublicTest bands; top-1 agreement and largest probability difference against float32.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]


def convert(model, mode: str, calibration: np.ndarray | None = None) -> bytes:
    import tensorflow as tf

    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    if mode != "float32":
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
    if mode == "int8":
        converter.representative_dataset = lambda: ([calibration[k : k + 20]] for k in range(0, len(calibration), 20))
    return converter.convert()


def run(content: bytes, bands: np.ndarray, batch: int = 64) -> tuple[np.ndarray, float]:
    import tensorflow as tf

    interpreter = tf.lite.Interpreter(model_content=content, num_threads=1)
    index, output = interpreter.get_input_details()[0]["index"], interpreter.get_output_details()[0]["index"]
    interpreter.resize_tensor_input(index, (batch, *bands.shape[1:]))
    interpreter.allocate_tensors()
    out, start = [], time.perf_counter()
    for s in range(0, len(bands) - batch + 1, batch):
        interpreter.set_tensor(index, bands[s : s + batch])
        interpreter.invoke()
        out.append(interpreter.get_tensor(output).copy())
    probs = np.concatenate(out)
    return probs, (time.perf_counter() - start) / len(probs) * 1000


def main() -> None:
    from inference.classifier import DEFAULT_WEIGHTS, EyeClassifier
    from inference.lab.fer2013 import load_fer2013

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weights", default=str(DEFAULT_WEIGHTS))
    parser.add_argument("--data", default=str(REPO.parent / "shared" / "data" / "fer2013" / "fer2013.csv.gz"))
    args = parser.parse_args()
    clf = EyeClassifier.load(args.weights)
    faces = load_fer2013(args.data, cache_dir=str(REPO / "data"))
    public = faces.split("PublicTest")
    bands = clf.band.cut(public.images)[..., None].astype(np.float32)
    calibration = clf.band.cut(faces.split("Training").images[:2000])[..., None].astype(np.float32)
    print("| model | ms per band | size bytes | PublicTest accuracy | top-1 agreement | max prob diff |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    reference = None
    for mode in ("float32", "dynamic-range", "int8"):
        content = convert(clf.model, mode, calibration)
        probs, ms = run(content, bands)
        reference = probs if reference is None else reference
        labels = public.labels[: len(probs)]
        print(
            f"| {mode} | {ms:.2f} | {len(content)} | {(probs.argmax(1) == labels).mean():.4f} | "
            f"{(probs.argmax(1) == reference.argmax(1)).mean():.4f} | {np.abs(probs - reference).max():.4f} |"
        )


if __name__ == "__main__":
    main()
