"""The live websocket: validates each camera frame, sheds load explicitly, relays results.

Frames go to the Celery worker the session is pinned to (its direct queue), so one SessionAnalyzer
keeps tracks and spotting state. Results come back over the channel layer (Redis) to this socket
only; with the embedded in-memory layer (no Redis) they are read from the result backend instead.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import time
from dataclasses import asdict, dataclass

from asgiref.sync import sync_to_async
from celery.utils.nodenames import worker_direct
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.layers import InMemoryChannelLayer
from django.conf import settings
from django.db.models import F
from django.utils import timezone

from eyeclass.lectures import lifecycle
from eyeclass.lectures.models import Session

from .models import LiveConnection
from .protocol import MAX_TEXT_BYTES, FrameRejected, TokenBucket, control_kind, parse_frame
from .tasks import live_frame

log = logging.getLogger(__name__)


@dataclass
class Stats:
    received: int = 0
    analysed: int = 0
    dropped: int = 0  # shed: workers behind
    rejected: int = 0  # invalid, too large, over the rate limit


def forget(result) -> None:
    try:
        result.forget()
    except Exception:  # the backend is unreachable: its periodic cleanup removes the result later
        log.warning("could not remove a live frame's result", exc_info=True)


@database_sync_to_async
def live_session_for(user, pk: int) -> Session | None:
    return (
        Session.objects.for_teacher(user).filter(pk=pk, status=Session.Status.LIVE).select_related("classroom").first()
    )


@database_sync_to_async
def open_connection(pk: int, channel_name: str) -> None:
    LiveConnection.open(pk, channel_name)


@database_sync_to_async
def close_connection(pk: int, channel_name: str) -> None:
    LiveConnection.close(pk, channel_name)


@database_sync_to_async
def flush_stats(pk: int, stats: Stats, flushed: Stats) -> None:
    """Add the frame counters not yet stored (stats - flushed) to the session's."""
    changes = {
        column: F(column) + getattr(stats, name) - getattr(flushed, name)
        for name, column in (
            ("received", "frames_received"),
            ("dropped", "frames_dropped"),
            ("rejected", "frames_rejected"),
        )
    }
    Session.objects.filter(pk=pk).update(**changes)


@database_sync_to_async
def session_status(pk: int) -> tuple[str, str]:
    return Session.objects.filter(pk=pk).values_list("status", "error").first() or ("missing", "the session is gone")


async def wait_closed(pk: int, result, timeout: float) -> None:
    """Wait until the worker has closed live session `pk`. The database is the record: the session is
    closed once it leaves LIVE. The task's result is read too, for the worker's error, but a result
    backend that restarted meanwhile (Redis; its reply can be lost) cannot keep this waiting."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status, error = await session_status(pk)
        if status == Session.Status.DONE:
            return
        if status != Session.Status.LIVE:
            raise RuntimeError(error or f"the session is {status}")
        try:
            ready = await sync_to_async(result.ready, thread_sensitive=False)()
        except Exception:  # the result backend is unreachable: the database decides
            ready = False
        if ready:
            answer = await sync_to_async(result.get, thread_sensitive=False)(timeout=5)  # raises the worker's error
            status, error = await session_status(pk)
            if status != Session.Status.DONE:
                raise RuntimeError(error or f"the worker answered {answer!r}, the session is {status}")
            return
        await asyncio.sleep(0.1)
    raise TimeoutError(f"no worker closed the session within {timeout:.0f} s")


class LiveConsumer(AsyncWebsocketConsumer):
    """One camera page's socket. Once its peer is gone (or it closed the socket itself) it never sends
    again: a failed send that raised once more from an error handler used to kill the consumer before
    disconnect() ran, leaving the session counted as connected and never saved."""

    connected = False
    silent = False  # the peer is gone or the socket is closed: nothing more is sent

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        self.session = await live_session_for(user, int(self.scope["url_route"]["kwargs"]["pk"]))
        if self.session is None:
            await self.close(code=4404)  # not this teacher's, or not live
            return
        await self.accept()
        self.connected, self.stopping = True, False
        await open_connection(self.session.pk, self.channel_name)
        self.stats, self.flushed = Stats(), Stats()
        self.bucket = TokenBucket(
            rate=settings.EYECLASS_LIVE_MAX_FPS, burst=max(2.0, settings.EYECLASS_LIVE_MAX_FPS / 2)
        )
        self.in_flight: dict[int, float] = {}
        self.queue = worker_direct(self.session.live_worker)
        self.relay_by_layer = not isinstance(self.channel_layer, InMemoryChannelLayer)
        limits = {
            "max_fps": settings.EYECLASS_LIVE_MAX_FPS,
            "max_frame_bytes": settings.EYECLASS_LIVE_MAX_FRAME_BYTES,
            "max_in_flight": settings.EYECLASS_LIVE_MAX_IN_FLIGHT,
        }
        await self.send_json(
            {"type": "hello", "session": self.session.pk, "limits": limits, "stats": asdict(self.stats)}
        )

    async def disconnect(self, code: int) -> None:
        self.silent = True
        if not self.connected:
            return
        self.connected = False
        try:
            await flush_stats(self.session.pk, self.stats, self.flushed)
            self.flushed = Stats(**asdict(self.stats))
        finally:
            await close_connection(self.session.pk, self.channel_name)
        if not self.stopping:  # a dropped connection: close after the grace period unless it comes back
            # the broker down: the watchdog closes a silent live session
            await sync_to_async(lifecycle.close_live, thread_sensitive=False)(
                self.session, "disconnected", after=settings.EYECLASS_LIVE_GRACE_SECONDS, idle_since=time.time()
            )

    async def receive(self, text_data=None, bytes_data=None) -> None:
        try:
            await self.handle(text_data, bytes_data)
        except Exception:  # an escaping error would close the socket without disconnect(): counters must stay right
            log.exception("live session %s: message not handled", self.session.pk)
            await self.send_json({"type": "error", "error": "the server could not handle this message; try again"})

    async def handle(self, text_data, bytes_data) -> None:
        if bytes_data is not None:
            await self.on_frame(bytes_data)
            return
        kind = control_kind(text_data or "")
        if kind == "stop":
            await self.stop()
        elif kind == "ping":
            await self.send_json({"type": "pong", "stats": asdict(self.stats)})
        else:
            await self.send_json(
                {
                    "type": "error",
                    "error": f'expected a binary frame or {{"type": "stop"|"ping"}} (at most {MAX_TEXT_BYTES} bytes)',
                }
            )

    async def on_frame(self, data: bytes) -> None:
        self.stats.received += 1
        try:
            seq, jpeg = parse_frame(data, settings.EYECLASS_LIVE_MAX_FRAME_BYTES)
        except FrameRejected as exc:
            return await self.refuse(None, exc.reason, str(exc))
        if self.stopping:
            return await self.refuse(seq, "closed", "the session is stopping")
        if not self.bucket.allow():
            return await self.refuse(seq, "rate", f"over {settings.EYECLASS_LIVE_MAX_FPS:g} frames per second")
        self.expire_lost()
        if seq in self.in_flight:  # would also slip past the in-flight bound below
            return await self.refuse(seq, "duplicate", "a frame with this sequence number is still being analysed")
        if len(self.in_flight) >= settings.EYECLASS_LIVE_MAX_IN_FLIGHT:
            return await self.refuse(seq, "busy", "workers are behind: frame skipped")
        self.in_flight[seq] = time.monotonic()
        t = (timezone.now() - self.session.started_at).total_seconds()
        reply_to = self.channel_name if self.relay_by_layer else None
        result = await sync_to_async(live_frame.apply_async, thread_sensitive=False)(
            args=[self.session.pk, reply_to, seq, t, base64.b64encode(jpeg).decode(), self.channel_name],
            queue=self.queue,
            expires=settings.EYECLASS_LIVE_FRAME_TIMEOUT,
            ignore_result=self.relay_by_layer,  # a frame's faces are relayed, never stored
        )
        if not self.relay_by_layer:
            asyncio.ensure_future(self.await_result(result))

    async def await_result(self, result) -> None:
        """Without a shared channel layer the answer comes through the result backend; it is removed
        once read (or given up on), as only per-second rows and summaries are kept."""
        try:
            payload = await sync_to_async(result.get, thread_sensitive=False)(
                timeout=settings.EYECLASS_LIVE_FRAME_TIMEOUT, interval=0.02
            )
        except Exception:
            return  # counted as lost by expire_lost(); a late answer expires with the backend's cleanup
        finally:
            await sync_to_async(forget, thread_sensitive=False)(result)
        await self.live_result({"payload": payload})

    def expire_lost(self) -> None:
        deadline = time.monotonic() - settings.EYECLASS_LIVE_FRAME_TIMEOUT
        for seq in [s for s, sent in self.in_flight.items() if sent < deadline]:
            del self.in_flight[seq]
            self.stats.dropped += 1

    async def refuse(self, seq: int | None, reason: str, error: str) -> None:
        if reason == "busy":
            self.stats.dropped += 1
        else:
            self.stats.rejected += 1
        await self.send_json(
            {"type": "dropped", "seq": seq, "reason": reason, "error": error, "stats": asdict(self.stats)}
        )

    async def live_result(self, event: dict) -> None:
        """A worker's answer for one frame (over the channel layer, or read from the result backend)."""
        payload = event["payload"]
        if self.in_flight.pop(payload.get("seq"), None) is None and payload.get("type") == "result":
            return  # already counted as lost
        if payload.get("type") == "result":
            self.stats.analysed += 1
        elif payload.get("type") == "dropped":
            self.stats.rejected += 1
        if self.connected:
            await self.send_json({**payload, "stats": asdict(self.stats)})

    async def stop(self) -> None:
        self.stopping = True
        await flush_stats(self.session.pk, self.stats, self.flushed)  # stored before the session closes
        self.flushed = Stats(**asdict(self.stats))
        result = await sync_to_async(lifecycle.close_live, thread_sensitive=False)(self.session, "stopped")
        try:
            if result is None:  # the broker is unreachable: save what was stored as the frames came
                await database_sync_to_async(lifecycle.save_live_as_stored)(self.session.pk)
            else:
                await wait_closed(self.session.pk, result, timeout=120)
        except Exception as exc:
            await self.send_json({"type": "error", "error": f"could not close the session: {exc}"})
            return
        await self.send_json({"type": "stopped", "url": self.session.get_absolute_url(), "stats": asdict(self.stats)})
        await self.close()

    async def close(self, code=None, reason=None) -> None:
        if not self.silent:
            self.silent = True
            await super().close(code=code, reason=reason)

    async def send_json(self, content: dict) -> None:
        if self.silent:
            return
        try:
            await self.send(text_data=json.dumps(content))
        except Exception:  # the peer is gone (the server says so by raising): its disconnect follows
            self.silent = True
