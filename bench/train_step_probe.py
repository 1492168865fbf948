"""Time training steps of the eye CNN (64-128-256, 48x28 band, batch 64) with and without its
augmentation, on whichever Keras backend is active: the probe behind the README's H200 numbers
(run there at commit 9403fc9, when the augmentation was Keras' own layers; since then it is
inference.augment.EyeAugment). Prints the first (compiling) step, 20 `train_on_batch` steps, and
one `fit` epoch of 40 steps, twice (the first includes compiling). Usage:
    KERAS_BACKEND=jax python bench/train_step_probe.py
"""

import time

started = time.time()
import keras  # noqa: E402
import numpy as np  # noqa: E402

from inference.geometry import EYE_BAND  # noqa: E402
from inference.model import ModelConfig, build_model  # noqa: E402
from inference.training import TrainConfig, compile_model  # noqa: E402

print("import", round(time.time() - started, 1), flush=True)
x = np.random.randint(0, 255, (64 * 40, 28, 48, 1)).astype("float32")
y = keras.utils.to_categorical(np.random.randint(0, 7, len(x)), 7)
for augment in (False, True):
    model = build_model((28, 48), ModelConfig(widths=(64, 128, 256), augment=augment))
    compile_model(model, TrainConfig(band=EYE_BAND), 1000)
    t = time.time()
    model.train_on_batch(x[:64], y[:64])
    print("augment", augment, "first step", round(time.time() - t, 1), flush=True)
    t = time.time()
    for i in range(1, 21):
        model.train_on_batch(x[i * 64 : (i + 1) * 64], y[i * 64 : (i + 1) * 64])
    print("augment", augment, "20 steps", round(time.time() - t, 2), flush=True)
    for label in ("fit 40 steps incl. compile", "fit 40 steps"):
        t = time.time()
        model.fit(x, y, batch_size=64, epochs=1, verbose=0)
        print(label, round(time.time() - t, 2), flush=True)
