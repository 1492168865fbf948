"""The live websocket, end to end through a real Celery worker and the configured channel layer."""

import asyncio
import json
import os
import struct
from pathlib import Path

import cv2
import pytest
from asgiref.sync import sync_to_async
from celery.result import AsyncResult
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings as django_settings
from django.db import connections
from django.test import Client
from django.utils import timezone

from eyeclass.asgi import application
from eyeclass.celery import app as celery_app
from eyeclass.lectures.models import Session
from tests.clips import astronaut_face
from tests.waiting import wait_until_async
from tests.web.factories import make_session

pytestmark = pytest.mark.django_db(transaction=True)
ORIGIN = (b"origin", b"http://127.0.0.1:8000")
needs_weights = pytest.mark.skipif(not django_settings.EYECLASS_MODEL_PATH.is_file(), reason="no trained eye CNN yet")


@pytest.fixture(autouse=True)
async def close_thread_connections():
    yield
    await database_sync_to_async(connections.close_all)()


@database_sync_to_async
def cookie_for(user):
    client = Client()
    client.force_login(user)
    return (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode())


@database_sync_to_async
def live_session(user, worker="nobody@nowhere", **fields):
    return make_session(
        user, title="Live", source="live", status="live", live_worker=worker, started_at=timezone.now(), **fields
    )


@database_sync_to_async
def reload(session):
    return Session.objects.get(pk=session.pk)


def frame_message(seq: int, image=None) -> bytes:
    image = astronaut_face() if image is None else image
    return struct.pack(">I", seq) + cv2.imencode(".jpg", image)[1].tobytes()


async def open_socket(session, user, origin=ORIGIN):
    ws = WebsocketCommunicator(application, f"/ws/live/{session.pk}/", headers=[origin, await cookie_for(user)])
    connected, code = await ws.connect(timeout=10)
    return ws, connected, code


async def receive_until(ws, kind, timeout=60):
    """The first message of this kind, and every message up to it, within `timeout` seconds."""
    seen = []
    try:
        async with asyncio.timeout(timeout):
            while True:
                seen.append(json.loads(await ws.receive_from(timeout=timeout)))
                if seen[-1]["type"] == kind:
                    return seen[-1], seen
    except TimeoutError:
        pass
    raise AssertionError(f"no {kind} message within {timeout} s; got {[m['type'] for m in seen]}")


async def test_it_refuses_anonymous_users(teacher):
    session = await live_session(teacher)
    ws = WebsocketCommunicator(application, f"/ws/live/{session.pk}/", headers=[ORIGIN])
    assert await ws.connect(timeout=5) == (False, 4401)


async def test_it_refuses_another_teachers_session(teacher, other_teacher):
    session = await live_session(other_teacher)
    _, connected, code = await open_socket(session, teacher)
    assert (connected, code) == (False, 4404)


async def test_it_refuses_a_session_that_is_not_live(teacher):
    session = await database_sync_to_async(make_session)(teacher, status="done")
    _, connected, code = await open_socket(session, teacher)
    assert (connected, code) == (False, 4404)


async def test_it_refuses_cross_origin_connections(teacher):
    session = await live_session(teacher)
    _, connected, _ = await open_socket(session, teacher, origin=(b"origin", b"https://evil.example"))
    assert not connected


async def test_it_validates_every_message(teacher, settings):
    settings.EYECLASS_LIVE_MAX_FRAME_BYTES = 50_000
    session = await live_session(teacher)
    ws, connected, _ = await open_socket(session, teacher)
    hello, _ = await receive_until(ws, "hello")
    assert hello["limits"]["max_frame_bytes"] == 50_000
    await ws.send_to(text_data="{not json")
    assert json.loads(await ws.receive_from())["type"] == "error"
    await ws.send_to(bytes_data=b"\x00\x00\x00\x01hello")
    assert json.loads(await ws.receive_from()) | {"stats": None} == {
        "type": "dropped",
        "seq": None,
        "reason": "invalid",
        "error": "frame is not a JPEG image",
        "stats": None,
    }
    await ws.send_to(bytes_data=struct.pack(">I", 2) + b"\xff\xd8" + b"\x00" * 60_000)
    dropped = json.loads(await ws.receive_from())
    assert dropped["reason"] == "too_large" and dropped["stats"]["rejected"] == 2
    await ws.send_to(text_data=json.dumps({"type": "ping"}))
    assert json.loads(await ws.receive_from())["type"] == "pong"  # still open after bad input
    await ws.disconnect()
    stored = await reload(session)
    assert stored.frames_received == 2 and stored.frames_rejected == 2 and stored.live_connections == 0


NESTED = "[" * 100_000 + "]" * 100_000  # 200 KB of nesting: once a RecursionError that skipped disconnect()


async def test_deeply_nested_or_long_text_is_refused_and_the_counters_stay_right(teacher):
    session = await live_session(teacher)
    ws, connected, _ = await open_socket(session, teacher)
    await receive_until(ws, "hello")
    assert (await reload(session)).live_connections == 1
    for text in (NESTED, "[" * 3000 + "]" * 3000, '{"type": "ping", "pad": "' + "x" * 5000 + '"}'):
        await ws.send_to(text_data=text)
        answer = json.loads(await ws.receive_from(timeout=10))
        assert answer["type"] == "error" and "at most 4096 bytes" in answer["error"]
    await ws.send_to(text_data=json.dumps({"type": "ping"}))
    assert json.loads(await ws.receive_from())["type"] == "pong"  # the socket lives on
    await ws.disconnect()
    assert (await reload(session)).live_connections == 0  # disconnect() ran


async def test_the_updates_socket_answers_malformed_text_and_stays_open(teacher):
    ws = WebsocketCommunicator(application, "/ws/updates/", headers=[ORIGIN, await cookie_for(teacher)])
    assert (await ws.connect(timeout=10))[0]
    assert json.loads(await ws.receive_from())["type"] == "hello"
    for text in (NESTED, "{not json", '{"type": "stop"}'):
        await ws.send_to(text_data=text)
        assert json.loads(await ws.receive_from(timeout=10))["type"] == "error"
    await ws.send_to(bytes_data=b"\x00\x01")
    assert json.loads(await ws.receive_from(timeout=10))["type"] == "error"
    await ws.send_to(text_data=json.dumps({"type": "ping"}))
    assert json.loads(await ws.receive_from())["type"] == "pong"
    await ws.disconnect()


async def test_an_unknown_websocket_path_is_closed_with_a_reason(teacher):
    ws = WebsocketCommunicator(application, "/ws/nothing-here/", headers=[ORIGIN, await cookie_for(teacher)])
    assert (await ws.connect(timeout=10))[0]
    closed = await ws.receive_output(timeout=5)
    assert closed == {"type": "websocket.close", "code": 4404, "reason": "no websocket at this path"}


async def test_a_repeated_sequence_number_cannot_slip_past_the_in_flight_bound(teacher, settings):
    settings.EYECLASS_LIVE_FRAME_TIMEOUT = 1  # frames sent to a worker that does not exist are given up soon
    settings.EYECLASS_LIVE_MAX_IN_FLIGHT = 2
    session = await live_session(teacher)  # its worker does not exist: frames stay in flight
    ws, _, _ = await open_socket(session, teacher)
    await receive_until(ws, "hello")
    for seq in (7, 7, 8, 9):
        await ws.send_to(bytes_data=frame_message(seq))
    first = json.loads(await ws.receive_from(timeout=10))
    assert (first["seq"], first["reason"]) == (7, "duplicate")
    second = json.loads(await ws.receive_from(timeout=10))
    assert (second["seq"], second["reason"]) == (9, "busy")  # 7 and 8 fill the bound
    await ws.disconnect()


async def test_it_rate_limits_each_connection(teacher, settings):
    settings.EYECLASS_LIVE_FRAME_TIMEOUT = 1  # frames sent to a worker that does not exist are given up soon
    settings.EYECLASS_LIVE_MAX_FPS = 2
    session = await live_session(teacher)
    ws, _, _ = await open_socket(session, teacher)
    await receive_until(ws, "hello")
    for seq in range(10):
        await ws.send_to(bytes_data=frame_message(seq))
    reasons = []
    for _ in range(10):
        message = json.loads(await ws.receive_from(timeout=10))
        if message["type"] == "dropped":
            reasons.append(message["reason"])
        if len(reasons) >= 8:
            break
    assert reasons.count("rate") >= 7  # a burst of 2 passes, the rest is refused
    await ws.disconnect()


@needs_weights
async def test_frames_flow_to_the_worker_and_results_come_back(teacher, celery_worker_process, settings):
    settings.EYECLASS_LIVE_GRACE_SECONDS = 600
    session = await live_session(teacher, worker=celery_worker_process.hostname)
    ws, connected, _ = await open_socket(session, teacher)
    await receive_until(ws, "hello")
    bystander, _, _ = await open_socket(await live_session(teacher), teacher)  # the same teacher, another session
    await receive_until(bystander, "hello")
    results = []
    for seq in range(6):
        await ws.send_to(bytes_data=frame_message(seq))
        result, _ = await receive_until(ws, "result", timeout=120)
        results.append(result)
        await asyncio.sleep(0.25)  # a camera's pace: a frame's time is its arrival, so the frames span seconds
    assert [r["seq"] for r in results] == list(range(6))
    assert all(len(r["faces"]) == 1 for r in results)
    # state is kept across frames: one track (the first frame may wait for the model to load, a gap
    # longer than the tracker's patience, so it is left out)
    assert len({r["faces"][0]["track"] for r in results[1:]}) == 1
    assert results[-1]["stats"]["analysed"] == 6
    assert await bystander.receive_nothing(timeout=1)  # results go to the sending socket only
    await bystander.disconnect()
    await ws.send_to(text_data=json.dumps({"type": "stop"}))
    stopped, _ = await receive_until(ws, "stopped", timeout=120)
    assert stopped["url"] == f"/sessions/{session.pk}/"
    session = await reload(session)
    assert session.status == "done" and session.frames_analysed == 6 and session.source == "live"
    assert 1 <= await database_sync_to_async(session.tracks.count)() <= 2


def stored_frame_results() -> dict[str, dict]:
    """Results in the result backend (files or Redis) that hold a frame's faces, by key."""
    backend, found = celery_app.backend, {}
    if hasattr(backend, "path"):  # the embedded file backend
        blobs = {p.name: p.read_bytes() for p in Path(os.fsdecode(backend.path)).iterdir() if p.is_file()}
    else:
        blobs = {key: backend.client.get(key) for key in backend.client.scan_iter("celery-task-meta-*")}
    for key, blob in blobs.items():
        try:
            result = json.loads(blob or b"{}").get("result")
        except ValueError:
            continue
        if isinstance(result, dict) and "faces" in result:
            found[key] = result
    return found


@needs_weights
async def test_no_frame_result_is_kept_after_a_live_session(teacher, celery_worker_process):
    # a frame another test left in flight may have been stored late (the backend's cleanup removes it)
    earlier = await sync_to_async(stored_frame_results)()
    session = await live_session(teacher, worker=celery_worker_process.hostname)
    ws, _, _ = await open_socket(session, teacher)
    await receive_until(ws, "hello")
    for seq in range(3):
        await ws.send_to(bytes_data=frame_message(seq))
        await receive_until(ws, "result", timeout=120)
    await ws.send_to(text_data=json.dumps({"type": "stop"}))
    await receive_until(ws, "stopped", timeout=120)
    await ws.disconnect()
    assert (await reload(session)).frames_analysed == 3
    assert (await sync_to_async(stored_frame_results)()).keys() <= earlier.keys()


@needs_weights
async def test_frames_are_dropped_and_counted_when_workers_are_behind(teacher, celery_worker_process, settings):
    settings.EYECLASS_LIVE_MAX_IN_FLIGHT = 1
    settings.EYECLASS_LIVE_MAX_FPS = 1000
    session = await live_session(teacher, worker=celery_worker_process.hostname)
    ws, _, _ = await open_socket(session, teacher)
    await receive_until(ws, "hello")
    for seq in range(5):
        await ws.send_to(bytes_data=frame_message(seq))
    busy = [json.loads(await ws.receive_from(timeout=10)) for _ in range(4)]
    assert [m["reason"] for m in busy] == ["busy"] * 4 and busy[-1]["stats"]["dropped"] == 4
    result, _ = await receive_until(ws, "result", timeout=120)
    assert result["seq"] == 0
    await ws.send_to(text_data=json.dumps({"type": "stop"}))
    await receive_until(ws, "stopped", timeout=120)
    await ws.disconnect()
    session = await reload(session)
    assert session.frames_dropped == 4 and session.frames_analysed == 1


def scheduled_closes(monkeypatch) -> list:
    """The task of each close_live the sockets schedule, filled as they are scheduled."""
    from eyeclass.lectures import lifecycle

    scheduled, close_live = [], lifecycle.close_live

    def recorded(*args, **kwargs):
        scheduled.append(close_live(*args, **kwargs))
        return scheduled[-1]

    monkeypatch.setattr(lifecycle, "close_live", recorded)
    return scheduled


@needs_weights
async def test_a_dropped_connection_is_closed_after_the_grace_period_unless_it_returns(
    teacher, celery_worker_process, settings, monkeypatch
):
    settings.EYECLASS_LIVE_GRACE_SECONDS = 1
    closes = scheduled_closes(monkeypatch)
    session = await live_session(teacher, worker=celery_worker_process.hostname)
    ws, _, _ = await open_socket(session, teacher)
    await receive_until(ws, "hello")
    await ws.send_to(bytes_data=frame_message(0))
    await receive_until(ws, "result", timeout=120)
    await ws.disconnect()
    ws, connected, _ = await open_socket(session, teacher)  # back within the grace period: resumed
    assert connected
    await wait_until_async(closes[0].ready, 60, "the close the drop scheduled, run after the grace period")
    assert (await reload(session)).status == "live"
    await ws.disconnect()  # gone for good

    async def closed():
        return (await reload(session)).status != "live"

    await wait_until_async(closed, 60, "the session closed after the grace period")
    assert (await reload(session)).status == "done"


async def test_stop_closes_the_session_even_when_the_workers_reply_is_lost(teacher, celery_worker_process, monkeypatch):
    """A result backend that restarts while the page waits (Redis) can lose the worker's reply; the
    database still says when the session is closed."""

    def lost(self, *args, **kwargs):
        raise ConnectionError("the result backend restarted")

    monkeypatch.setattr(AsyncResult, "ready", lost)
    monkeypatch.setattr(AsyncResult, "get", lost)
    session = await live_session(teacher, worker=celery_worker_process.hostname)
    ws, _, _ = await open_socket(session, teacher)
    await receive_until(ws, "hello")
    await ws.send_to(text_data=json.dumps({"type": "stop"}))
    stopped, _ = await receive_until(ws, "stopped", timeout=60)
    assert stopped["url"] == f"/sessions/{session.pk}/"
    assert (await reload(session)).status == "done"


async def test_stop_while_the_broker_is_down_saves_what_was_stored(teacher, monkeypatch):
    from kombu.exceptions import OperationalError

    from eyeclass.live.tasks import live_finish

    def broker_down(**options):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(live_finish, "apply_async", broker_down)
    session = await live_session(teacher)
    ws, _, _ = await open_socket(session, teacher)
    await receive_until(ws, "hello")
    await ws.send_to(text_data=json.dumps({"type": "stop"}))
    stopped, _ = await receive_until(ws, "stopped", timeout=30)
    assert stopped["url"] == f"/sessions/{session.pk}/"
    stored = await reload(session)
    assert stored.status == Session.Status.DONE
    await ws.disconnect()
    assert (await reload(session)).live_connections == 0
