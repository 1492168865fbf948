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
    readable_reason,
    worker_classifier,
)
from .models import Chunk, Session
from .playback import settle_video

log = logging.getLogger(__name__)


def should_split(session: Session) -> bool:
    size = settings.EYECLASS_CHUNK_SECONDS
    return size > 0 and (session.duration or 0) > 1.5 * size


def start_chunks(session: Session) -> int:
    """Plan the chunks, store a row for each and queue the chord; the number of chunks."""
    from inference.chunks import plan_chunks

    plans = plan_chunks(session.duration, settings.EYECLASS_CHUNK_SECONDS, settings.EYECLASS_CHUNK_OVERLAP_SECONDS)
    revoke_chunks(session)
    with transaction.atomic():
        Chunk.objects.filter(session=session).delete()
        rows = Chunk.objects.bulk_create([Chunk(session=session, index=c.index, plan=c.to_dict()) for c in plans])
    queue = heavy_queue()
    header = group(analyse_session_chunk.s(session.pk, c.index).set(queue=queue) for c in plans)
    result = chord(header)(stitch_session.s(session.pk).set(queue=queue))
    for row, child in zip(rows, result.parent.results):
        row.task_id = child.id
    Chunk.objects.bulk_update(rows, ["task_id"])
    return len(rows)


def revoke_chunks(session: Session) -> None:
    """Ask the workers to drop this session's chunks not yet started (a started one stops by itself)."""
    ids = [t for t in Chunk.objects.filter(session=session).values_list("task_id", flat=True) if t]
    if ids:
        try:
            celery_app.control.revoke(ids)
        except Exception:  # the broker is down: the chunks find their rows gone instead
            log.warning("could not revoke the chunks of session %s", session.pk, exc_info=True)


class ChunkProgress(ProgressReporter):
    """Saves a chunk's progress and the session's (all chunks, weighted by length); SessionDeleted when
    the chunk's row is gone (the session was deleted or reprocessed)."""

    def __init__(self, chunk: Chunk) -> None:
        super().__init__(chunk.session)
        self.chunk = chunk

    def save(self, fraction: float) -> float:
        if not Chunk.objects.filter(pk=self.chunk.pk).update(progress=min(max(fraction, 0.0), 1.0)):
            raise SessionDeleted(self.session.pk)
        rows = list(Chunk.objects.filter(session_id=self.session.pk))
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
def analyse_session_chunk(self, session_id: int, index: int) -> dict:
    from inference.chunks import ChunkPlan, analyse_chunk

    row = Chunk.objects.select_related("session__classroom").filter(session_id=session_id, index=index).first()
    if row is None or row.session.status != Session.Status.PROCESSING:
        return chunk_stopped(session_id, index, "the session was deleted or is no longer being processed")
    session, path = row.session, row.session.video_path
    unusable = False  # the video itself cannot be analysed
    try:
        return analyse_chunk(path, ChunkPlan(**row.plan), analysis_options(), worker_classifier(), ChunkProgress(row))
    except SessionDeleted:
        return chunk_stopped(session_id, index, "the session was deleted")
    except (ValueError, FileNotFoundError, ModelMissing) as exc:
        reason, unusable = readable_reason(exc, path), not isinstance(exc, ModelMissing)
    except TRANSIENT:
        raise
    except Exception as exc:
        log.exception("session %s chunk %s: analysis failed", session_id, index)
        reason = f"Processing stopped on an unexpected error ({type(exc).__name__}). The video is kept: reprocess it."
    if Session.objects.filter(pk=session_id, status=Session.Status.PROCESSING).exists():
        session.mark_failed(reason, video_unusable=unusable)
        ProgressReporter(session).push(session.status_dict())
    return chunk_stopped(session_id, index, reason)


def chunk_stopped(session_id: int, index: int, reason: str) -> dict:
    """A chunk's answer when it stops without a result (logged: the worker logs no return values)."""
    log.info("session %s chunk %s: stopped, %s", session_id, index, reason)
    return {"stopped": reason}


@shared_task(bind=True, name="lectures.stitch", acks_late=True, autoretry_for=TRANSIENT, retry_backoff=5, max_retries=5)
def stitch_session(self, parts: list[dict], session_id: int) -> str:
    from inference.chunks import stitch
    from inference.video import probe

    session = Session.objects.select_related("classroom").filter(pk=session_id).first()
    if session is None or session.status != Session.Status.PROCESSING:
        log.info("session %s: nothing stitched, the session is not being processed", session_id)
        return "not processing"
    stopped = [p["stopped"] for p in parts if "stopped" in p]
    if stopped:
        return "stopped"
    options = analysis_options()
    result = stitch(parts, probe(session.video_path).to_dict(), options.min_inter_ocular)
    session.store_results(result)  # one transaction, replacing any earlier rows: a second run duplicates nothing
    Chunk.objects.filter(session=session).delete()
    settle_video(session, ProgressReporter(session))
    return "done"
