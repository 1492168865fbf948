"""A long upload analysed by several workers at once: one task per chunk (a Celery chord), then one
task that stitches them (inference/chunks.py) and stores the session in one transaction.

Each chunk task is acknowledged late and rejected if its worker dies, so a killed chunk is delivered
again alone; the chord's stitch runs once all chunks have answered. Progress is the chunks' progress
weighted by their length. Deleting or reprocessing a session revokes its chunks; a chunk that starts
anyway finds its row gone and stops.
"""

from __future__ import annotations

import logging

from celery import chord, group, shared_task
from django.conf import settings
from django.db import transaction

from eyeclass.celery import app as celery_app
from eyeclass.celery import heavy_queue

from .analysis import (
    TRANSIENT,
    ModelMissing,
    ProgressReporter,
    SessionDeleted,
    analysis_options,
    load_model,
    readable_reason,
)
from .models import Chunk, Lecture

log = logging.getLogger(__name__)


def should_split(lecture: Lecture) -> bool:
    size = settings.EYECLASS_CHUNK_SECONDS
    return size > 0 and (lecture.duration or 0) > 1.5 * size


def start_chunks(lecture: Lecture) -> int:
    """Plan the chunks, store a row for each and queue the chord; the number of chunks."""
    from inference.chunks import plan_chunks

    plans = plan_chunks(lecture.duration, settings.EYECLASS_CHUNK_SECONDS, settings.EYECLASS_CHUNK_OVERLAP_SECONDS)
    revoke_chunks(lecture)
    with transaction.atomic():
        Chunk.objects.filter(lecture=lecture).delete()
        rows = Chunk.objects.bulk_create([Chunk(lecture=lecture, index=c.index, plan=c.to_dict()) for c in plans])
    queue = heavy_queue()
    header = group(analyse_lecture_chunk.s(lecture.pk, c.index).set(queue=queue) for c in plans)
    result = chord(header)(stitch_lecture.s(lecture.pk).set(queue=queue))
    for row, child in zip(rows, result.parent.results):
        row.task_id = child.id
    Chunk.objects.bulk_update(rows, ["task_id"])
    return len(rows)


def revoke_chunks(lecture: Lecture) -> None:
    """Ask the workers to drop this session's chunks not yet started (a started one stops by itself)."""
    ids = [t for t in Chunk.objects.filter(lecture=lecture).values_list("task_id", flat=True) if t]
    if ids:
        try:
            celery_app.control.revoke(ids)
        except Exception:  # the broker is down: the chunks find their rows gone instead
            log.warning("could not revoke the chunks of session %s", lecture.pk, exc_info=True)


class ChunkProgress(ProgressReporter):
    """Saves a chunk's progress and the session's (all chunks, weighted by length); SessionDeleted when
    the chunk's row is gone (the session was deleted or reprocessed)."""

    def __init__(self, chunk: Chunk) -> None:
        super().__init__(chunk.lecture)
        self.chunk = chunk

    def save(self, fraction: float) -> float:
        if not Chunk.objects.filter(pk=self.chunk.pk).update(progress=min(max(fraction, 0.0), 1.0)):
            raise SessionDeleted(self.lecture.pk)
        rows = list(Chunk.objects.filter(lecture_id=self.lecture.pk))
        total = sum(r.progress * r.seconds for r in rows) / max(1e-6, sum(r.seconds for r in rows))
        return super().save(total)


@shared_task(
    bind=True,
    name="lectures.chunk",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=TRANSIENT,
    retry_backoff=5,
    max_retries=5,
)
def analyse_lecture_chunk(self, lecture_id: int, index: int) -> dict:
    from inference.chunks import Chunk as Plan
    from inference.chunks import analyse_chunk

    row = Chunk.objects.select_related("lecture__classroom").filter(lecture_id=lecture_id, index=index).first()
    if row is None or row.lecture.status != Lecture.Status.PROCESSING:
        return chunk_stopped(lecture_id, index, "the session was deleted or is no longer being processed")
    lecture, path = row.lecture, row.lecture.video_path
    unusable = False  # the video itself cannot be analysed
    try:
        return analyse_chunk(path, Plan(**row.plan), analysis_options(), load_model(), ChunkProgress(row))
    except SessionDeleted:
        return chunk_stopped(lecture_id, index, "the session was deleted")
    except (ValueError, FileNotFoundError, ModelMissing) as exc:
        reason, unusable = readable_reason(exc, path), not isinstance(exc, ModelMissing)
    except TRANSIENT:
        raise
    except Exception as exc:
        log.exception("lecture %s chunk %s: analysis failed", lecture_id, index)
        reason = f"Processing stopped on an unexpected error ({type(exc).__name__}). The video is kept: reprocess it."
    if Lecture.objects.filter(pk=lecture_id, status=Lecture.Status.PROCESSING).exists():
        lecture.mark_failed(reason, video_unusable=unusable)
        ProgressReporter(lecture).push(lecture.status_dict())
    return chunk_stopped(lecture_id, index, reason)


def chunk_stopped(lecture_id: int, index: int, reason: str) -> dict:
    """A chunk's answer when it stops without a result (logged: the worker logs no return values)."""
    log.info("lecture %s chunk %s: stopped, %s", lecture_id, index, reason)
    return {"stopped": reason}


@shared_task(bind=True, name="lectures.stitch", acks_late=True, autoretry_for=TRANSIENT, retry_backoff=5, max_retries=5)
def stitch_lecture(self, parts: list[dict], lecture_id: int) -> str:
    from inference.chunks import stitch
    from inference.video import probe

    lecture = Lecture.objects.select_related("classroom").filter(pk=lecture_id).first()
    if lecture is None or lecture.status != Lecture.Status.PROCESSING:
        log.info("lecture %s: nothing stitched, the session is not being processed", lecture_id)
        return "not processing"
    stopped = [p["stopped"] for p in parts if "stopped" in p]
    if stopped:
        return "stopped"
    options = analysis_options()
    result = stitch(parts, probe(lecture.video_path).to_dict(), options.min_inter_ocular).to_dict()
    lecture.store_results(result)  # one transaction, replacing any earlier rows: a second run duplicates nothing
    Chunk.objects.filter(lecture=lecture).delete()
    if not lecture.keep_video:
        lecture.delete_video()
    ProgressReporter(lecture).push(lecture.status_dict())
    return "done"
