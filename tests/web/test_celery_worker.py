import os

import pytest
from django.conf import settings

from eyeclass.ops.models import WorkerHeartbeat
from eyeclass.ops.tasks import ping


def test_a_task_round_trips_through_a_real_worker(celery_worker_process):
    result = ping.delay("hello").get(timeout=60)
    assert result["echo"] == "hello"
    assert result["pid"] != os.getpid()  # executed by the worker, not eagerly here


def test_it_uses_redis_when_configured():
    if os.environ.get("REDIS_URL"):
        assert settings.CELERY_BROKER_URL.startswith("redis://")
        assert settings.CHANNEL_LAYERS["default"]["BACKEND"].endswith("RedisChannelLayer")
    else:
        assert settings.CELERY_BROKER_URL == "filesystem://"


@pytest.mark.django_db(transaction=True)
def test_the_worker_reports_its_heartbeat(celery_worker_process, client):
    import time

    deadline = time.monotonic() + 30
    while not WorkerHeartbeat.alive(30).exists():
        assert time.monotonic() < deadline, celery_worker_process.log_path.read_text()[-2000:]
        time.sleep(0.5)
    beat = WorkerHeartbeat.alive(30).get()
    assert set(beat.queues.split(",")) == {"celery", "gpu"}
    checks = client.get("/healthz").json()["checks"]
    assert checks["workers"]["ok"] is True
    assert beat.hostname in checks["workers"]["detail"]
