import os

import pytest
from django.conf import settings

from eyeclass.ops.models import WorkerHeartbeat
from eyeclass.ops.tasks import ping
from tests.waiting import log_tail, wait_until


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
        assert settings.CELERY_BROKER_TRANSPORT == "eyeclass.broker:Transport"


def test_the_embedded_broker_shows_a_message_only_once_it_is_whole(tmp_path, monkeypatch):
    from kombu import Connection

    from eyeclass.broker import Transport

    seen, replace = [], os.replace

    def watching_replace(partial, final):
        seen.append((sorted(os.listdir(tmp_path / "in")), open(partial, "rb").read()))
        return replace(partial, final)

    monkeypatch.setattr("eyeclass.broker.os.replace", watching_replace)
    folders = {"data_folder_in": tmp_path / "in", "data_folder_out": tmp_path / "in", "control_folder": tmp_path / "c"}
    for folder in set(folders.values()):
        folder.mkdir()
    options = {**{k: str(v) for k, v in folders.items()}, "store_processed": False}
    with Connection("filesystem://", transport=Transport, transport_options=options) as connection:
        queue = connection.SimpleQueue("sessions")
        queue.put({"session": 7})
        [(names, written)] = seen
        assert not any(name.endswith(".sessions.msg") for name in names)  # a reader sees nothing yet...
        assert b"session" in written or b"eyJzZXNzaW9uIjogN30" in written  # ...while it is written whole
        assert queue.get(timeout=1).payload == {"session": 7}
        queue.close()


@pytest.mark.django_db(transaction=True)
def test_the_worker_reports_its_heartbeat(celery_worker_process, client):
    log = celery_worker_process.log_path
    wait_until(
        WorkerHeartbeat.alive(30).exists, 30, "a heartbeat from the worker", diagnose=lambda: log_tail(log, 2000)
    )
    beat = WorkerHeartbeat.alive(30).get()
    assert set(beat.queues.split(",")) == {"celery", "gpu"}
    checks = client.get("/healthz").json()["checks"]
    assert checks["workers"]["ok"] is True
    assert beat.hostname in checks["workers"]["detail"]
