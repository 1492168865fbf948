from __future__ import annotations

import os
import socket

from celery import shared_task


@shared_task(name="ops.ping")
def ping(payload: str = "") -> dict:
    """Round trip check: echoes the payload with where it ran."""
    return {"echo": payload, "hostname": socket.gethostname(), "pid": os.getpid()}
