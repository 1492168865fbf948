"""What Celery's INFO lines may say: never a task's return value, and nothing at all per live frame.

Celery logs every task it receives and its return value when it succeeds. A live frame's return value
is its faces (boxes, eye boxes, emotions), at up to 15 lines a second per camera: per-frame face data
in the log, where the service promises to keep only aggregates."""

from __future__ import annotations

import logging

from celery.app import trace

PER_FRAME_TASKS = frozenset({"live.frame"})
SUCCESS_WITHOUT_VALUE = "Task %(name)s[%(id)s] succeeded in %(runtime)ss"


class CeleryTaskLines(logging.Filter):
    """On Celery's `received` and `succeeded` lines: drop those of per-frame tasks, and the return value
    from the rest."""

    def filter(self, record: logging.LogRecord) -> bool:
        context = record.args if isinstance(record.args, dict) else None
        if context is None or "name" not in context:
            return True
        if context["name"] in PER_FRAME_TASKS and record.levelno <= logging.INFO:
            return False
        if record.msg == trace.LOG_SUCCESS:
            record.msg = SUCCESS_WITHOUT_VALUE
        return True
