"""Health checks for /healthz: each returns (ok, detail) and never raises."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import connection

from eyeclass.celery import app as celery_app

from .models import WorkerHeartbeat


def check_database() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True, connection.vendor
    except Exception as exc:
        return False, f"{type(exc).__name__}: {exc}"


def check_broker() -> tuple[bool, str]:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
            return True, conn.as_uri()
    except Exception as exc:
        return False, f"{type(exc).__name__}: {exc}"


def check_workers() -> tuple[bool, str]:
    try:
        window = 3 * settings.WORKER_HEARTBEAT_SECONDS
        workers = [str(w) for w in WorkerHeartbeat.alive(window)]
    except Exception as exc:
        return False, f"{type(exc).__name__}: {exc}"
    return bool(workers), ", ".join(workers) if workers else f"no worker seen in the last {window} s"


def check_model(path: Path | None = None) -> tuple[bool, str]:
    if not settings.EYECLASS_EMOTIONS:  # the workers never load it
        return True, "not used: emotions are off"
    path = Path(path or settings.EYECLASS_MODEL_PATH)
    if not path.is_file():
        return False, f"missing: {path}"
    return True, f"{path.name} ({path.stat().st_size} bytes)"


CHECKS = {"database": check_database, "broker": check_broker, "workers": check_workers, "model": check_model}


def deployment() -> dict:
    """The settings that decide what is read and kept about students: public, so anyone can check them."""
    return {
        "emotions": "on" if settings.EYECLASS_EMOTIONS else "off",
        "retention_days": settings.EYECLASS_RETENTION_DAYS,
        "keep_video_days": settings.EYECLASS_KEEP_VIDEO_DAYS,
    }


def run_checks() -> dict:
    results = {name: check() for name, check in CHECKS.items()}
    return {
        "ok": all(ok for ok, _ in results.values()),
        "checks": {name: {"ok": ok, "detail": detail} for name, (ok, detail) in results.items()},
        "deployment": deployment(),
    }
