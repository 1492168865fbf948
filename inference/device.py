"""Where the eye CNN runs: a GPU through Keras when this process sees one, else the CPU (TF Lite).

The probe asks whichever Keras backend is active (JAX, TensorFlow or PyTorch: a GPU machine may lack
TensorFlow), so the model code stays backend-neutral. EYECLASS_DEVICE=cpu forces the CPU path.
On a GPU the bands of many frames and faces go in one call: a bigger batch costs the GPU little and
saves calls, where on a CPU it only makes results wait longer.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from .records import Record

GPU_BATCH = 1024  # bands per CNN call on a GPU (AnalysisOptions.batch_size)


@dataclass(frozen=True)
class Device(Record):
    kind: str  # "gpu" or "cpu"
    name: str
    backend: str  # the Keras backend, or "tflite" for the CPU path

    def describe(self) -> str:
        return "CPU (TF Lite)" if self.kind == "cpu" else f"GPU {self.name} ({self.backend})"


def gpu_names(backend: str) -> list[str]:
    """The GPUs the active Keras backend sees in this process."""
    if backend == "jax":
        import jax

        return [d.device_kind for d in jax.devices() if d.platform == "gpu"]
    if backend == "torch":
        import torch

        return [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
    if backend == "tensorflow":
        import tensorflow as tf

        gpus = tf.config.list_physical_devices("GPU")
        return [tf.config.experimental.get_device_details(g).get("device_name", g.name) for g in gpus]
    return []


def detect(probe=gpu_names) -> Device:
    import keras

    backend = keras.backend.backend()
    if os.environ.get("EYECLASS_DEVICE", "").lower() != "cpu":
        try:
            names = probe(backend)
        except Exception:  # a broken driver is a CPU machine, not a crash
            names = []
        if names:
            return Device("gpu", names[0], backend)
    return Device("cpu", "CPU", "tflite")
