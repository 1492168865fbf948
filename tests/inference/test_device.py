"""Where the eye CNN runs: the device probe, with fake GPUs (no GPU is needed to test the choice)."""

import pytest

from inference.device import GPU_BATCH, Device, detect


def test_a_visible_gpu_is_chosen_and_named():
    device = detect(probe=lambda backend: ["NVIDIA H200"])
    assert device.kind == "gpu" and device.name == "NVIDIA H200" and device.backend == "tensorflow"
    assert device.describe() == "GPU NVIDIA H200 (tensorflow)"


@pytest.mark.parametrize("names", [[], None])
def test_without_a_gpu_the_cpu_path_is_kept(names):
    def probe(backend):
        if names is None:
            raise RuntimeError("CUDA driver version is insufficient")  # a broken driver: still a CPU machine
        return names

    assert detect(probe=probe) == Device("cpu", "CPU", "tflite")


def test_eyeclass_device_cpu_overrides_a_gpu(monkeypatch):
    monkeypatch.setenv("EYECLASS_DEVICE", "cpu")
    assert detect(probe=lambda backend: ["NVIDIA H200"]).kind == "cpu"


def test_this_machine_has_no_gpu_for_the_active_backend():
    assert detect().kind == "cpu"  # CI's machine: the real probe runs and finds none
    assert GPU_BATCH > 128
