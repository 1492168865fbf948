"""The Celery app. Workers: `celery -A eyeclass worker` (default queue) and `-Q gpu` on GPU boxes."""

from __future__ import annotations

import os
from pathlib import Path

from celery import Celery
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "eyeclass.settings")

app = Celery("eyeclass")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.update(
    task_default_queue="celery",
    task_queues=(Queue("celery"), Queue("gpu")),
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    task_track_started=True,
    result_expires=24 * 3600,
    broker_connection_retry_on_startup=True,
    worker_hijack_root_logger=False,
    worker_direct=True,  # each worker also consumes its own queue: live sessions pin to one worker
)
for folder in app.conf.broker_transport_options.values():
    if isinstance(folder, str) and app.conf.broker_url.startswith("filesystem"):
        Path(folder).mkdir(parents=True, exist_ok=True)
if str(app.conf.result_backend).startswith("file://"):
    Path(str(app.conf.result_backend)[len("file://") :]).mkdir(parents=True, exist_ok=True)
app.autodiscover_tasks()


def heavy_queue() -> str:
    """Queue for model work: `gpu` when GPU workers are configured, else the default queue."""
    from django.conf import settings

    return "gpu" if settings.EYECLASS_GPU_QUEUE else "celery"
