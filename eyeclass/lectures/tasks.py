"""The Celery task that analyses an uploaded session with `inference`, and how it is sent."""

from __future__ import annotations

import logging

from celery import shared_task

from eyeclass.celery import heavy_queue

from .analysis import TRANSIENT, ModelMissing, ProgressReporter, SessionDeleted, analyze, readable_reason
from .chunked import should_split, start_chunks
from .models import Session
from .playback import settle_video

log = logging.getLogger(__name__)


# A send to a broker that is down fails within about two seconds: the teacher's request waits no longer,
# and the session stays queued and unsent until the watchdog sends it (lifecycle.send_unsent).
SEND_RETRY = {"max_retries": 2, "interval_start": 0.2, "interval_step": 0.5, "interval_max": 1.0}


def enqueue_processing(session_id: int) -> str | None:
    """Send the session's processing task; its id, or None when the broker could not be reached."""
    try:
        # ignore_result: nobody waits for it (the row is the record), and waiting would subscribe to a
        # Redis result backend, which retries for 20 s when Redis is down
        result = process_session.apply_async(
            args=[session_id], queue=heavy_queue(), retry_policy=SEND_RETRY, ignore_result=True
        )
    except Exception as exc:  # kombu, redis-py and socket errors alike: the broker is unreachable
        log.warning("session %s: the broker is unreachable (%s); the watchdog will send it", session_id, exc)
        return None
    Session.objects.filter(pk=session_id, task_id="").update(task_id=result.id)
    return result.id


@shared_task(
    bind=True,
    name="lectures.process",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=TRANSIENT,
    retry_backoff=5,
    retry_backoff_max=120,
    max_retries=5,
)
def process_session(self, session_id: int) -> str:
    session = Session.objects.select_related("classroom").filter(pk=session_id).first()
    if session is None:
        return "missing"  # deleted while queued
    if session.status == Session.Status.DONE and session.task_id != self.request.id:
        return "done"  # a duplicate delivery of an older request
    path = session.video_path
    if path is None or not path.exists():
        session.mark_failed("The video file is no longer on the server; upload it again.")
        return "failed"
    session.mark_processing(self.request.id or "", worker=self.request.hostname or "")
    if should_split(session):  # several workers share it; the last chunk's stitch stores the session
        log.info("session %s: analysed as %s chunks", session_id, start_chunks(session))
        return "split"
    reporter = ProgressReporter(session)
    unusable = False  # the video itself cannot be analysed
    try:
        session.store_results(analyze(path, reporter))  # atomic: nothing partial is left if this fails
    except SessionDeleted:
        return stopped_as_deleted(session_id)
    except (ValueError, FileNotFoundError, ModelMissing) as exc:  # bad video or missing model: no retry
        reason, unusable = readable_reason(exc, path), not isinstance(exc, ModelMissing)
    except TRANSIENT as exc:  # database or broker unreachable: retried with a back-off, then a reason
        if self.request.retries < self.max_retries:
            raise
        reason = (
            f"The database or message broker stayed unreachable ({type(exc).__name__}) after "
            f"{self.max_retries} retries. The video is kept: reprocess the session to try again."
        )
    except Exception as exc:
        if deleted(session_id):  # as its results were stored
            return stopped_as_deleted(session_id)
        log.exception("session %s: processing failed", session_id)
        reason = (
            f"Processing stopped on an unexpected error ({type(exc).__name__}). The video is kept: "
            "reprocess the session to try again; if it happens again, tell an administrator."
        )
    else:
        settle_video(session, reporter)
        return "done"
    if deleted(session_id):  # meanwhile: its video went first
        return stopped_as_deleted(session_id)
    session.mark_failed(reason, video_unusable=unusable)
    reporter.push(session.status_dict())
    return "failed"


def deleted(session_id: int) -> bool:
    return not Session.objects.filter(pk=session_id).exists()


def stopped_as_deleted(session_id: int) -> str:
    log.info("session %s was deleted while it was analysed; stopped", session_id)
    return "deleted"
