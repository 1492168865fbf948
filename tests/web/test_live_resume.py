"""A live session resumed after the page left keeps its students: the worker's tracks carry over the pause."""

import json
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.db.models import F

from eyeclass.lectures.models import Session
from tests.web.test_live_socket import (
    close_thread_connections,  # noqa: F401 (an autouse fixture)
    frame_message,
    live_session,
    needs_weights,
    open_socket,
    receive_until,
    reload,
)

pytestmark = [pytest.mark.django_db(transaction=True), needs_weights]


async def stream(ws, seqs) -> list[dict]:
    results = []
    for seq in seqs:
        await ws.send_to(bytes_data=frame_message(seq))
        result, _ = await receive_until(ws, "result", timeout=120)
        results.append(result)
    return results


@database_sync_to_async
def away_for(session, seconds: float) -> None:
    """As if the page had been gone this long: session time runs on the wall clock since the start."""
    Session.objects.filter(pk=session.pk).update(started_at=F("started_at") - timedelta(seconds=seconds))


async def test_one_face_streamed_before_and_after_a_reconnect_is_one_student(teacher, celery_worker_process, settings):
    settings.EYECLASS_LIVE_GRACE_SECONDS, settings.EYECLASS_LIVE_MAX_FPS = 600, 1000
    settings.EYECLASS_LIVE_FRAME_TIMEOUT = 120  # the first frame waits for the worker to load the model
    session = await live_session(teacher, worker=celery_worker_process.hostname)
    ws, _, _ = await open_socket(session, teacher)
    await receive_until(ws, "hello")
    await stream(ws, [0])  # the worker loads the model: a pause longer than a track waits
    before = await stream(ws, range(1, 25))
    await ws.disconnect()
    await away_for(session, 20)  # longer than a hidden track is re-linked after
    ws, connected, _ = await open_socket(session, teacher)
    assert connected
    await receive_until(ws, "hello")
    after = await stream(ws, range(25, 49))
    tracks = {face["track"] for r in before + after for face in r["faces"]}
    assert all(len(r["faces"]) == 1 for r in before + after) and len(tracks) == 1
    await ws.send_to(text_data=json.dumps({"type": "stop"}))
    await receive_until(ws, "stopped", timeout=120)
    await ws.disconnect()
    session = await reload(session)
    assert session.status == "done" and session.summary["students"] == 1
