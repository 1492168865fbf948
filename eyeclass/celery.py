"""The Celery app. Workers: `celery -A eyeclass worker` (default queue) and `-Q gpu` on GPU boxes."""

from __future__ import annotations

import os

from celery import Celery
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "eyeclass.settings")

app = Celery("eyeclass")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.update(
    task_default_queue="celery",
    # `live`: nothing is sent there; a worker consuming it is preferred for live sessions (pick_worker)
    task_queues=(Queue("celery"), Queue("gpu"), Queue("live")),
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    task_track_started=True,
    # results are read by whoever waits for them (seconds); the cleanup in each worker's heartbeat
    # thread (eyeclass/ops/signals.py) removes older ones where the backend does not expire them itself
    result_expires=3600,
    broker_connection_retry_on_startup=True,
    worker_hijack_root_logger=False,
    worker_direct=True,  # each worker also consumes its own queue: live sessions pin to one worker
)
app.autodiscover_tasks()
app.autodiscover_tasks(related_name="chunked")  # eyeclass/lectures/chunked.py: the chunk and stitch tasks


def heavy_queue() -> str:
    """Queue for model work: `gpu` when GPU workers are configured, else the default queue."""
    from django.conf import settings

    return "gpu" if settings.EYECLASS_GPU_QUEUE else "celery"
