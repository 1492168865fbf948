"""A worker on a GPU runs the eye CNN through Keras with big batches, and says so in /healthz."""

import pytest
from django.conf import settings as django_settings

from eyeclass.lectures import analysis
from eyeclass.ops.models import WorkerHeartbeat
from inference.device import GPU_BATCH, Device
from inference.pipeline import UPLOAD_FPS

pytestmark = pytest.mark.django_db


@pytest.fixture
def fake_gpu(monkeypatch):
    analysis.worker_device.cache_clear()
    analysis._load_classifier.cache_clear()
    monkeypatch.setattr("inference.device.detect", lambda: Device("gpu", "Fake GPU 80GB", "jax"))
    yield
    analysis.worker_device.cache_clear()
    analysis._load_classifier.cache_clear()


@pytest.mark.skipif(not django_settings.EYECLASS_MODEL_PATH.is_file(), reason="no trained eye CNN yet")
def test_on_a_gpu_the_worker_keeps_keras_and_batches_more(fake_gpu):
    from inference.classifier import LiteModel

    classifier = analysis.load_model()
    assert not isinstance(classifier.model, LiteModel)  # Keras, on the GPU
    options = analysis.analysis_options()
    assert options.batch_size == GPU_BATCH and options.lite_cnn is False


@pytest.mark.skipif(not django_settings.EYECLASS_MODEL_PATH.is_file(), reason="no trained eye CNN yet")
def test_on_a_cpu_the_worker_uses_tf_lite():
    from inference.classifier import LiteModel

    analysis.worker_device.cache_clear()
    analysis._load_classifier.cache_clear()
    assert isinstance(analysis.load_model().model, LiteModel) and analysis.analysis_options().batch_size == 128


def test_healthz_names_each_workers_device(client, fake_gpu, monkeypatch):
    WorkerHeartbeat.beat("gpu1@box", ["gpu"], pid=4242)
    monkeypatch.setattr("os.getppid", lambda: 4242)  # as the worker's pool process sees its parent
    analysis.record_device(analysis.worker_device().describe(), attempts=1)
    report = client.get("/healthz", REMOTE_ADDR="127.0.0.1").json()
    assert "gpu1@box [gpu] on GPU Fake GPU 80GB (jax)" in report["checks"]["workers"]["detail"]


@pytest.mark.parametrize("setting, fps", [(None, UPLOAD_FPS), (0.0, None), (5.0, 5.0)])
def test_the_analysis_rate_setting_means_what_the_cli_option_means(settings, setting, fps):
    settings.EYECLASS_ANALYSIS_FPS = setting  # 0: every frame, as `python -m inference analyze --fps 0`
    assert analysis.analysis_options().fps == fps
