"""Celery tasks of live sessions: analyse one frame, finish a session. Routed to the session's worker."""

from __future__ import annotations

import base64
import dataclasses
import logging
import time

from asgiref.sync import async_to_sync
from celery import shared_task
from channels.layers import get_channel_layer
from django.conf import settings
from django.db.models import F
from django.utils import timezone

from eyeclass.lectures.analysis import ModelMissing
from eyeclass.lectures.models import ExpressionEvent, SecondStat, Session
from inference.emotionless import event_without_emotions, face_without_emotions, mix_free
from inference.records import AnalysisResult

from . import state as live_state
from .protocol import FrameRejected, decode_jpeg

log = logging.getLogger(__name__)


def face_payload(face) -> dict:
    data = face.to_dict()
    payload = {k: data[k] for k in ("track", "box", "eye_boxes", "top", "probs", "flags", "inter_ocular")} | {
        "openness": None
        if face.signals is None
        else round((face.signals.openness_left + face.signals.openness_right) / 2, 3)
    }
    return payload if settings.EYECLASS_EMOTIONS else face_without_emotions(payload)


def persist_new(session: Session, live: live_state.LiveState) -> tuple[list[dict], list[dict]]:
    """Store the seconds and events completed since the last frame; return them for the browser."""
    analyzer = live.analyzer
    seconds = [s.rounded() for s in analyzer.seconds[live.stored_seconds :]]
    events = [e.rounded() for e in analyzer.events[live.stored_events :]]
    emotions = settings.EYECLASS_EMOTIONS
    if not emotions:  # neither stored nor sent to the page
        seconds = [dataclasses.replace(s, emotion_mix=None, emotion_probs=None) for s in seconds]
        events = [dataclasses.replace(e, label=None) for e in events]
    if seconds:
        SecondStat.objects.bulk_create([SecondStat.from_aggregate(session, s) for s in seconds], ignore_conflicts=True)
    if events:
        ExpressionEvent.objects.bulk_create([ExpressionEvent.from_event(session, e) for e in events])
    live.stored_seconds, live.stored_events = len(analyzer.seconds), len(analyzer.events)
    if not emotions:
        return [mix_free(s.to_dict()) for s in seconds], [event_without_emotions(e.to_dict()) for e in events]
    return [s.to_dict() for s in seconds], [e.to_dict() for e in events]


def reply(channel: str | None, payload: dict) -> dict:
    if channel:
        async_to_sync(get_channel_layer().send)(channel, {"type": "live.result", "payload": payload})
    return payload


@shared_task(name="live.frame", acks_late=False)
def live_frame(
    session_id: int, reply_channel: str | None, seq: int, t: float, jpeg_b64: str, connection: str | None = None
) -> dict:
    """Analyse one frame of a live session. `connection` names the page's socket: a frame from another
    socket than the last one is a resume, whose pause the tracks are carried over."""
    started = time.perf_counter()
    session = Session.objects.filter(pk=session_id, status=Session.Status.LIVE).first()
    if session is None:
        return reply(
            reply_channel, {"type": "dropped", "seq": seq, "reason": "closed", "error": "the live session has ended"}
        )
    try:
        image = decode_jpeg(base64.b64decode(jpeg_b64))
        live = live_state.get_state(session_id)
    except FrameRejected as exc:
        return reply(reply_channel, {"type": "dropped", "seq": seq, "reason": exc.reason, "error": str(exc)})
    except ModelMissing as exc:
        return reply(reply_channel, {"type": "error", "seq": seq, "error": str(exc)})
    if t <= live.last_time:
        return reply(
            reply_channel, {"type": "dropped", "seq": seq, "reason": "late", "error": "frame arrived out of order"}
        )
    if connection and live.connection and connection != live.connection:
        live.analyzer.carry_over(t)
    live.last_time, live.connection = t, connection or live.connection
    frame = live.analyzer.process(image, t, seq)
    seconds, events = persist_new(session, live)
    Session.objects.filter(pk=session_id).update(frames_analysed=F("frames_analysed") + 1, last_frame_at=timezone.now())
    payload = {
        "type": "result",
        "seq": seq,
        "t": round(t, 3),
        "width": image.shape[1],
        "height": image.shape[0],
        "faces": [face_payload(f) for f in frame.faces],
        "seconds": seconds,
        "events": events,
        "worker_ms": round((time.perf_counter() - started) * 1000, 1),
    }
    return reply(reply_channel, payload)


def with_stored_rows(result: AnalysisResult, stored: AnalysisResult) -> AnalysisResult:
    """The analyzer's result, plus the stored seconds and events it does not cover (its state may have
    started later than the session: a worker restart). Seconds analysed are never thrown away."""
    covered = {row.second for row in result.seconds}
    seconds = result.seconds + [row for row in stored.seconds if row.second not in covered]
    first = min(covered) if covered else float("inf")
    events = [e for e in stored.events if e.onset < first] + result.events
    duration = max(result.video.get("duration") or 0.0, stored.video.get("duration") or 0.0)
    return dataclasses.replace(
        result,
        seconds=sorted(seconds, key=lambda row: row.second),
        events=events,
        video={**result.video, "duration": duration},
    )


@shared_task(name="live.finish", acks_late=True)
def live_finish(session_id: int, reason: str = "stopped", if_idle_since: float | None = None) -> str:
    """Close a live session: flush the analyzer and store the complete results (replacing the partial
    rows stored as frames came). With `if_idle_since`, only if no connection or frame came since then."""
    session = Session.objects.select_related("classroom").filter(pk=session_id).first()
    if session is None or session.status != Session.Status.LIVE:
        return "not live"
    # frames in flight when the page left are still analysed for up to the frame timeout: only a frame
    # after that came from a new connection (which schedules its own finish when it goes)
    resumed_after = (if_idle_since or 0) + settings.EYECLASS_LIVE_FRAME_TIMEOUT
    if if_idle_since is not None and (
        session.live_connections > 0 or (session.last_frame_at and session.last_frame_at.timestamp() > resumed_after)
    ):
        return "resumed"
    live = live_state.pop_state(session_id)
    if live is None:  # this worker restarted: what was stored as the frames came is all there is
        session.store_results(session.stored_result())
    else:
        live.analyzer.finish()
        result = live.analyzer.result(video={"duration": max(live.last_time, 0.0), "source": "live"})
        live.analyzer.close()
        session.store_results(with_stored_rows(result, session.stored_result()))
    log.info("live session %s finished (%s)", session_id, reason)
    return "done"
