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

from .chunked import revoke_chunks
from .models import Lecture
from .tasks import SEND_RETRY, enqueue_processing

log = logging.getLogger(__name__)

# a queued session whose task is still unsent this long after queueing is sent by the watchdog (the
# request's own send is then long over: a send gives up within seconds)
UNSENT_AFTER_SECONDS = 10.0


def enqueue(lecture: Lecture) -> None:
    """Queue the session's analysis: the row says `queued` now, the task is sent once the current
    transaction commits (never before the worker could see the row). After a commit,
    `lecture.send_failed` tells whether the broker was down; the outbox sends it later then."""
    lecture.mark_queued()
    lecture.send_failed = False
    transaction.on_commit(lambda: send(lecture))


def send(lecture: Lecture) -> bool:
    """Send this queued session's task now; False (and `send_failed`) when the broker is unreachable."""
    task_id = enqueue_processing(lecture.pk)
    lecture.task_id, lecture.send_failed = task_id or "", task_id is None
    return not lecture.send_failed


def send_unsent(older_than: float = UNSENT_AFTER_SECONDS) -> list[str]:
    """The outbox: send the tasks of sessions queued while the broker was down."""
    since = timezone.now() - timedelta(seconds=older_than)
    unsent = Lecture.objects.filter(status=Lecture.Status.QUEUED, task_id="", heartbeat_at__lt=since)
    return [f"{lecture.pk}: sent" for lecture in unsent if send(lecture)]


def recover_stuck(processing_after: float, queued_after: float, max_attempts: int = 3) -> list[str]:
    """The watchdog: sessions with no sign of life are queued again, or failed with a reason once
    they have used up their attempts (or lost their video). Never leaves one processing forever."""
    now = timezone.now()
    stale = models.Q(
        status=Lecture.Status.PROCESSING, heartbeat_at__lt=now - timedelta(seconds=processing_after)
    ) | models.Q(status=Lecture.Status.QUEUED, heartbeat_at__lt=now - timedelta(seconds=queued_after))
    actions = []
    with transaction.atomic():
        for lecture in Lecture.objects.select_for_update(skip_locked=True).filter(stale):
            if lecture.attempts < max_attempts and lecture.video_path is not None and lecture.video_path.exists():
                enqueue(lecture)
                actions.append(f"{lecture.pk}: queued again")
            else:
                lecture.mark_failed(
                    f"Processing stopped responding after {lecture.attempts} attempt(s) (a worker crashed or "
                    "was stopped). Reprocess the session or upload the video again."
                )
                actions.append(f"{lecture.pk}: failed")
    # live sessions whose camera and worker went silent: close them with what was stored
    silent = now - timedelta(seconds=3 * processing_after)
    for lecture in Lecture.objects.filter(status=Lecture.Status.LIVE).filter(
        models.Q(last_frame_at__lt=silent) | models.Q(last_frame_at=None, started_at__lt=silent)
    ):
        if save_live_as_stored(lecture.pk):
            actions.append(f"{lecture.pk}: live session closed")
    return actions


def requeue_interrupted(workers: list[str]) -> list[str]:
    """Queue again, at once, the sessions these workers were analysing when they were stopped: a
    broker may have dropped the task with the worker (the embedded one does), and the watchdog would
    only notice after EYECLASS_STUCK_PROCESSING_SECONDS."""
    actions = []
    with transaction.atomic():
        for lecture in Lecture.objects.select_for_update().filter(status=Lecture.Status.PROCESSING, worker__in=workers):
            enqueue(lecture)
            actions.append(f"{lecture.pk}: queued again, its worker was stopped mid-analysis")
    return actions


def close_live(lecture: Lecture, reason: str = "stopped", after: float = 0.0, idle_since: float | None = None):
    """The one way a live session is closed: its worker, which holds its state (tracks, spotting), closes
    and saves it; the task goes to that worker's own queue, `after` seconds from now. With `idle_since`
    the worker first checks that no socket or frame came back since (a dropped camera page may return).
    The task's AsyncResult, or None when the broker is unreachable: then save_live_as_stored saves what
    was stored as the frames came (stop_live does; the watchdog does for the rest)."""
    from celery.utils.nodenames import worker_direct

    from eyeclass.live.tasks import live_finish

    args = [lecture.pk, reason] + ([idle_since] if idle_since is not None else [])
    try:
        return live_finish.apply_async(
            args=args, queue=worker_direct(lecture.live_worker), countdown=after or None, retry_policy=SEND_RETRY
        )
    except Exception:
        log.warning("live session %s: the broker is unreachable, it is not closed yet", lecture.pk, exc_info=True)
        return None


def save_live_as_stored(lecture_id: int) -> bool:
    """Close a live session with the seconds and events stored as its frames came, when its worker
    cannot close it (gone, or unreachable); False when it was not live any more."""
    with transaction.atomic():
        live = Lecture.objects.select_for_update().filter(pk=lecture_id, status=Lecture.Status.LIVE).first()
        if live is None:
            return False
        live.store_results(live.stored_result())
        return True


def stop_live(lecture: Lecture, wait: float = 20.0) -> None:
    """Stop a live session now and wait (at most `wait` seconds) for its worker to save it; without a
    living worker, or past the wait, it is saved from what was stored."""
    from eyeclass.ops.models import WorkerHeartbeat

    alive = WorkerHeartbeat.alive(3 * settings.WORKER_HEARTBEAT_SECONDS).filter(hostname=lecture.live_worker)
    if alive.exists() and close_live(lecture, "stopped") is not None:
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if Lecture.objects.filter(pk=lecture.pk).exclude(status=Lecture.Status.LIVE).exists():
                return
            time.sleep(0.2)
    save_live_as_stored(lecture.pk)


def delete(lecture: Lecture) -> None:
    """Delete a session: its queued chunks are revoked (a running one finds its row gone and stops),
    its stored video removed, then its rows."""
    revoke_chunks(lecture)
    if lecture.video_path is not None:
        lecture.video_path.unlink(missing_ok=True)
    lecture.delete()
