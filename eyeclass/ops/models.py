from __future__ import annotations

from datetime import timedelta

from django.db import models
from django.utils import timezone


class WorkerHeartbeat(models.Model):
    """One row per Celery worker, refreshed while it runs; works with any broker."""

    hostname = models.CharField(max_length=255, unique=True)
    queues = models.CharField(max_length=255, blank=True)
    pid = models.IntegerField(default=0)
    started = models.DateTimeField(default=timezone.now)
    last_seen = models.DateTimeField(default=timezone.now, db_index=True)
    device = models.CharField(max_length=120, blank=True)  # where its eye CNN runs, e.g. "GPU NVIDIA H200 (jax)"

    def __str__(self) -> str:
        return f"{self.hostname} [{self.queues}]" + (f" on {self.device}" if self.device else "")

    @classmethod
    def beat(cls, hostname: str, queues: list[str], pid: int) -> None:
        cls.objects.update_or_create(
            hostname=hostname, defaults={"queues": ",".join(sorted(queues)), "pid": pid, "last_seen": timezone.now()}
        )

    @classmethod
    def alive(cls, within_seconds: int) -> models.QuerySet[WorkerHeartbeat]:
        return cls.objects.filter(last_seen__gte=timezone.now() - timedelta(seconds=within_seconds))
