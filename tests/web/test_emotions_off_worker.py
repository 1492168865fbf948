"""EYECLASS_EMOTIONS=off on a real Celery worker: an upload and a live session leave the worker with no
emotion field (database rows, JSON and CSV exports, API, socket messages) while engagement is stored."""

import asyncio
import csv
import io
import json
import os

import pytest
from celery.utils.nodenames import worker_direct
from channels.db import database_sync_to_async

from eyeclass.lectures.models import SecondStat, Session
from eyeclass.lectures.tasks import process_session
from inference.labels import LABELS
from tests.conftest import start_celery_worker, stop_celery_worker
from tests.web.emotionless import assert_no_emotion
from tests.web.test_live_socket import frame_message, live_session, open_socket, receive_until, reload
from tests.web.test_processing import session_with_video
from tests.web.waits import settled

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def emotionless_worker(test_database_url, tmp_path_factory):
    """A worker of its own with emotions off, reached through its direct queue only."""
    log = tmp_path_factory.mktemp("emotionless") / "worker.log"
    name = f"emotionless-{os.getpid()}"
    proc = start_celery_worker(test_database_url, log, name, f"{name}-only", {"EYECLASS_EMOTIONS": "off"})
    yield proc
    stop_celery_worker(proc)


def assert_rows_hold_no_emotion(session: Session) -> None:
    for label in LABELS:
        assert not SecondStat.objects.filter(session=session, **{f"{label}__isnull": False}).exists()
    assert list(session.tracks.exclude(emotion_mix={}).values_list("track", flat=True)) == []
    assert set(session.tracks.values_list("dominant", flat=True)) <= {""}
    assert set(session.events.values_list("label", flat=True)) <= {""}
    assert_no_emotion(session.summary)
    assert_no_emotion(session.charts)


def test_an_upload_analysed_with_emotions_off_stores_and_exports_no_emotion(
    client, teacher, tmp_path, settings, emotionless_worker
):
    session = session_with_video(teacher, tmp_path)
    process_session.apply_async(args=[session.pk], queue=worker_direct(emotionless_worker.hostname))
    session = settled(session)
    assert session.status == "done", session.error
    assert session.options["emotions"] is False
    assert session.seconds.filter(engagement__isnull=False).exists()  # engagement still works
    assert session.tracks.filter(engagement__isnull=False).exists()
    assert_rows_hold_no_emotion(session)
    assert "eye CNN on" not in emotionless_worker.log_path.read_text()  # the model was never loaded
    settings.EYECLASS_EMOTIONS = False  # the web side of the same deployment
    client.force_login(teacher)
    document = client.get(f"/api/sessions/{session.pk}/").json()
    assert_no_emotion(document)
    # a 2 s clip is too short for numbers (the "enough data" rule withholds them); the column stays
    assert document["session"]["summary"]["withheld"] and document["seconds"]
    assert all("engagement" in row for row in document["seconds"])
    assert_no_emotion(client.get(f"/sessions/{session.pk}/export.json").json())
    seconds = b"".join(client.get(f"/sessions/{session.pk}/export.csv").streaming_content).decode()
    assert "engagement" in next(csv.reader(io.StringIO(seconds)))
    assert_no_emotion(seconds)
    assert_no_emotion(b"".join(client.get(f"/sessions/{session.pk}/students.csv").streaming_content).decode())


async def test_a_live_session_with_emotions_off_pushes_and_stores_no_emotion(teacher, settings, emotionless_worker):
    settings.EYECLASS_LIVE_GRACE_SECONDS = 600
    settings.EYECLASS_EMOTIONS = False
    session = await live_session(teacher, worker=emotionless_worker.hostname)
    ws, connected, _ = await open_socket(session, teacher)
    assert connected
    messages = []
    for seq in range(8):
        await ws.send_to(bytes_data=frame_message(seq))
        result, seen = await receive_until(ws, "result", timeout=120)
        messages += seen
        await asyncio.sleep(0.3)  # a camera's pace: a frame's time is its arrival, so the frames span seconds
    assert all(len(m["faces"]) == 1 for m in messages if m["type"] == "result")
    await ws.send_to(text_data=json.dumps({"type": "stop"}))
    _, seen = await receive_until(ws, "stopped", timeout=120)
    messages += seen
    await ws.disconnect()
    assert_no_emotion(messages)
    session = await reload(session)
    assert session.status == "done" and session.frames_analysed == 8
    assert await database_sync_to_async(session.seconds.filter(engagement__isnull=False).exists)()
    await database_sync_to_async(assert_rows_hold_no_emotion)(session)
