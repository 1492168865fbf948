"""The Celery task that analyses an uploaded session with `inference`, and how it is sent."""

from __future__ import annotations

import logging

from celery import shared_task

from eyeclass.celery import heavy_queue

from .analysis import TRANSIENT, ModelMissing, ProgressReporter, SessionDeleted, analyze, readable_reason
from .chunked import should_split, start_chunks
from .models import Lecture

log = logging.getLogger(__name__)


# A send to a broker that is down fails within about two seconds: the teacher's request waits no longer,
# and the session stays queued and unsent until the watchdog sends it (lifecycle.send_unsent).
SEND_RETRY = {"max_retries": 2, "interval_start": 0.2, "interval_step": 0.5, "interval_max": 1.0}


def enqueue_processing(lecture_id: int) -> str | None:
    """Send the session's processing task; its id, or None when the broker could not be reached."""
    try:
        # ignore_result: nobody waits for it (the row is the record), and waiting would subscribe to a
        # Redis result backend, which retries for 20 s when Redis is down
        result = process_lecture.apply_async(
            args=[lecture_id], queue=heavy_queue(), retry_policy=SEND_RETRY, ignore_result=True
        )
    except Exception as exc:  # kombu, redis-py and socket errors alike: the broker is unreachable
        log.warning("lecture %s: the broker is unreachable (%s); the watchdog will send it", lecture_id, exc)
        return None
    Lecture.objects.filter(pk=lecture_id, task_id="").update(task_id=result.id)
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
def process_lecture(self, lecture_id: int) -> str:
    lecture = Lecture.objects.select_related("classroom").filter(pk=lecture_id).first()
    if lecture is None:
        return "missing"  # deleted while queued
    if lecture.status == Lecture.Status.DONE and lecture.task_id != self.request.id:
        return "done"  # a duplicate delivery of an older request
    path = lecture.video_path
    if path is None or not path.exists():
        lecture.mark_failed("The video file is no longer on the server; upload it again.")
        return "failed"
    lecture.mark_processing(self.request.id or "", worker=self.request.hostname or "")
    if should_split(lecture):  # several workers share it; the last chunk's stitch stores the session
        log.info("lecture %s: analysed as %s chunks", lecture_id, start_chunks(lecture))
        return "split"
    reporter = ProgressReporter(lecture)
    unusable = False  # the video itself cannot be analysed
    try:
        lecture.store_results(analyze(path, reporter))  # atomic: nothing partial is left if this fails
    except SessionDeleted:
        return stopped_as_deleted(lecture_id)
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
        if deleted(lecture_id):  # as its results were stored
            return stopped_as_deleted(lecture_id)
        log.exception("lecture %s: processing failed", lecture_id)
        reason = (
            f"Processing stopped on an unexpected error ({type(exc).__name__}). The video is kept: "
            "reprocess the session to try again; if it happens again, tell an administrator."
        )
    else:
        if not lecture.keep_video:
            lecture.delete_video()
        reporter.push(lecture.status_dict())
        return "done"
    if deleted(lecture_id):  # meanwhile: its video went first
        return stopped_as_deleted(lecture_id)
    lecture.mark_failed(reason, video_unusable=unusable)
    reporter.push(lecture.status_dict())
    return "failed"


def deleted(lecture_id: int) -> bool:
    return not Lecture.objects.filter(pk=lecture_id).exists()


def stopped_as_deleted(lecture_id: int) -> str:
    log.info("lecture %s was deleted while it was analysed; stopped", lecture_id)
    return "deleted"
