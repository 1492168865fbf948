"""The life of a session where it meets the message broker: queueing and sending its analysis, the
outbox of sends that found the broker down, the watchdog, a stopped worker's work queued again,
closing a live session (one way, whoever asks), and deletion that also drops queued chunks. Views,
consumers, the admin, the watchdog and `serve` call these; the model (models.py) keeps the changes
that touch only its row (mark_queued, mark_processing, mark_failed, store_results)."""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from eyeclass.school.models import AuditEntry

from .chunked import revoke_chunks
from .models import Session
from .tasks import SEND_RETRY, enqueue_processing

log = logging.getLogger(__name__)

# a queued session whose task is still unsent this long after queueing is sent by the watchdog (the
# request's own send is then long over: a send gives up within seconds)
UNSENT_AFTER_SECONDS = 10.0


def enqueue(session: Session) -> None:
    """Queue the session's analysis: the row says `queued` now, the task is sent once the current
    transaction commits (never before the worker could see the row). After a commit,
    `session.send_failed` tells whether the broker was down; the outbox sends it later then."""
    session.mark_queued()
    session.send_failed = False
    transaction.on_commit(lambda: send(session))


def send(session: Session) -> bool:
    """Send this queued session's task now; False (and `send_failed`) when the broker is unreachable."""
    task_id = enqueue_processing(session.pk)
    session.task_id, session.send_failed = task_id or "", task_id is None
    return not session.send_failed


def send_unsent(older_than: float = UNSENT_AFTER_SECONDS) -> list[str]:
    """The outbox: send the tasks of sessions queued while the broker was down."""
    since = timezone.now() - timedelta(seconds=older_than)
    unsent = Session.objects.filter(status=Session.Status.QUEUED, task_id="", heartbeat_at__lt=since)
    return [f"{session.pk}: sent" for session in unsent if send(session)]


def recover_stuck(processing_after: float, queued_after: float, max_attempts: int = 3) -> list[str]:
    """The watchdog: sessions with no sign of life are queued again, or failed with a reason once
    they have used up their attempts (or lost their video). Never leaves one processing forever."""
    now = timezone.now()
    stale = models.Q(
        status=Session.Status.PROCESSING, heartbeat_at__lt=now - timedelta(seconds=processing_after)
    ) | models.Q(status=Session.Status.QUEUED, heartbeat_at__lt=now - timedelta(seconds=queued_after))
    actions = []
    with transaction.atomic():
        for session in Session.objects.select_for_update(skip_locked=True).filter(stale):
            if session.attempts < max_attempts and session.video_path is not None and session.video_path.exists():
                enqueue(session)
                actions.append(f"{session.pk}: queued again")
            else:
                session.mark_failed(
                    f"Processing stopped responding after {session.attempts} attempt(s) (a worker crashed or "
                    "was stopped). Reprocess the session or upload the video again."
                )
                actions.append(f"{session.pk}: failed")
    # live sessions whose camera and worker went silent: close them with what was stored
    silent = now - timedelta(seconds=3 * processing_after)
    for session in Session.objects.filter(status=Session.Status.LIVE).filter(
        models.Q(last_frame_at__lt=silent) | models.Q(last_frame_at=None, started_at__lt=silent)
    ):
        if save_live_as_stored(session.pk):
            actions.append(f"{session.pk}: live session closed")
    return actions


def requeue_interrupted(workers: list[str]) -> list[str]:
    """Queue again, at once, the sessions these workers were analysing when they were stopped: a
    broker may have dropped the task with the worker (the embedded one does), and the watchdog would
    only notice after EYECLASS_STUCK_PROCESSING_SECONDS."""
    actions = []
    with transaction.atomic():
        for session in Session.objects.select_for_update().filter(status=Session.Status.PROCESSING, worker__in=workers):
            enqueue(session)
            actions.append(f"{session.pk}: queued again, its worker was stopped mid-analysis")
    return actions


def close_live(session: Session, reason: str = "stopped", after: float = 0.0, idle_since: float | None = None):
    """The one way a live session is closed: its worker, which holds its state (tracks, spotting), closes
    and saves it; the task goes to that worker's own queue, `after` seconds from now. With `idle_since`
    the worker first checks that no socket or frame came back since (a dropped camera page may return).
    The task's AsyncResult, or None when the broker is unreachable: then save_live_as_stored saves what
    was stored as the frames came (stop_live does; the watchdog does for the rest)."""
    from celery.utils.nodenames import worker_direct

    from eyeclass.live.tasks import live_finish

    args = [session.pk, reason] + ([idle_since] if idle_since is not None else [])
    try:
        return live_finish.apply_async(
            args=args, queue=worker_direct(session.live_worker), countdown=after or None, retry_policy=SEND_RETRY
        )
    except Exception:
        log.warning("live session %s: the broker is unreachable, it is not closed yet", session.pk, exc_info=True)
        return None


def save_live_as_stored(session_id: int) -> bool:
    """Close a live session with the seconds and events stored as its frames came, when its worker
    cannot close it (gone, or unreachable); False when it was not live any more."""
    with transaction.atomic():
        live = Session.objects.select_for_update().filter(pk=session_id, status=Session.Status.LIVE).first()
        if live is None:
            return False
        live.store_results(live.stored_result())
        return True


def stop_live(session: Session, wait: float = 20.0) -> None:
    """Stop a live session now and wait (at most `wait` seconds) for its worker to save it; without a
    living worker, or past the wait, it is saved from what was stored."""
    from eyeclass.ops.models import WorkerHeartbeat

    alive = WorkerHeartbeat.alive(3 * settings.WORKER_HEARTBEAT_SECONDS).filter(hostname=session.live_worker)
    if alive.exists() and close_live(session, "stopped") is not None:
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if Session.objects.filter(pk=session.pk).exclude(status=Session.Status.LIVE).exists():
                return
            time.sleep(0.2)
    save_live_as_stored(session.pk)


def delete(session: Session, by=None, reason: str = "") -> None:
    """Delete a session: its queued chunks are revoked (a running one finds its row gone and stops),
    its stored video removed, then its rows; the audit log says who (`by`, None: the system) and why."""
    AuditEntry.record(by, AuditEntry.Action.DELETED, session, reason)
    revoke_chunks(session)
    if session.video_path is not None:
        session.video_path.unlink(missing_ok=True)
    session.delete()
