"""Worker heartbeat: a daemon thread in each worker's main process refreshes its WorkerHeartbeat row."""

from __future__ import annotations

import logging
import os
import threading
import time

from celery.signals import worker_ready, worker_shutdown
from django.conf import settings
from django.db import close_old_connections

log = logging.getLogger(__name__)
_stop = threading.Event()


def _beat_forever(hostname: str, queues: list[str]) -> None:
    from eyeclass.celery import app as celery_app
    from eyeclass.lectures import lifecycle
    from eyeclass.lectures.retention import purge_expired

    from .models import WorkerHeartbeat

    last_watch = 0.0
    while not _stop.is_set():
        try:
            close_old_connections()
            WorkerHeartbeat.beat(hostname, queues, os.getpid())
            for action in lifecycle.send_unsent():  # every beat: an upload made while the broker was down
                log.warning("watchdog: session %s", action)
            if time.monotonic() - last_watch >= settings.EYECLASS_WATCHDOG_EVERY_SECONDS:
                last_watch = time.monotonic()
                for action in lifecycle.recover_stuck(
                    settings.EYECLASS_STUCK_PROCESSING_SECONDS, settings.EYECLASS_STUCK_QUEUED_SECONDS
                ):
                    log.warning("watchdog: session %s", action)
                purge_expired()  # retention (logs what it deleted); nothing when no limit is set
                celery_app.backend.cleanup()  # expired results (the file backend never expires them itself)
        except Exception:  # the database may be restarting: keep beating, never kill the worker
            log.warning("worker heartbeat failed", exc_info=True)
        _stop.wait(settings.WORKER_HEARTBEAT_SECONDS)


@worker_ready.connect
def start_heartbeat(sender, **kwargs) -> None:
    queues = [q.name for q in sender.app.amqp.queues.consume_from.values() if not q.name.endswith(".dq2")]
    _stop.clear()
    threading.Thread(target=_beat_forever, args=(sender.hostname, queues), daemon=True, name="heartbeat").start()


@worker_shutdown.connect
def stop_heartbeat(sender=None, **kwargs) -> None:
    from .models import WorkerHeartbeat

    _stop.set()
    if sender is not None:
        try:
            WorkerHeartbeat.objects.filter(hostname=sender.hostname).delete()
        except Exception:
            log.warning("could not remove worker heartbeat", exc_info=True)
