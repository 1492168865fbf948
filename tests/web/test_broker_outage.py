"""An upload while the message broker is down: stored, answered at once with what happens next, and
sent by the watchdog once the broker is back (never stranded in `queued`)."""

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
import uuid

import pytest
from django.test import Client
from kombu.exceptions import OperationalError

from eyeclass.classrooms.models import Classroom
from eyeclass.lectures import lifecycle
from eyeclass.lectures.models import Session
from eyeclass.lectures.tasks import process_session
from tests.clips import write_clip
from tests.conftest import REPO
from tests.waiting import wait_until
from tests.web.browser import LiveStack
from tests.web.factories import make_session

pytestmark = pytest.mark.django_db(transaction=True)


def multipart(fields: dict, name: str, content: bytes) -> tuple[str, bytes]:
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode() for k, v in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="video"; filename="{name}"\r\n'
        "Content-Type: video/mp4\r\n\r\n".encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return f"multipart/form-data; boundary={boundary}", b"".join(parts)


def broker_down(**options):
    raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


def test_an_upload_while_the_broker_is_down_is_kept_and_sent_later(client, teacher, tmp_path, monkeypatch):
    classroom = Classroom.objects.create(teacher=teacher, name="Physics")
    clip = write_clip(tmp_path / "session.mp4", seconds=1)
    monkeypatch.setattr(process_session, "apply_async", broker_down)
    client.force_login(teacher)
    with clip.open("rb") as video:
        response = client.post(
            "/sessions/upload/",
            {"classroom": classroom.pk, "students_informed": "on", "video": video},
            HTTP_ACCEPT="application/json",
        )
    assert response.status_code == 202
    assert "no need to upload the video again" in response.json()["notice"]
    session = Session.objects.get()
    assert session.unsent and session.video_path.exists()
    assert "cannot be reached just now" in client.get(session.get_absolute_url()).content.decode()  # where JS goes

    assert lifecycle.send_unsent(older_than=0) == []  # still down: it stays in the outbox
    sent = []
    monkeypatch.setattr(process_session, "apply_async", lambda **kw: sent.append(kw) or type("R", (), {"id": "t-9"})())
    assert lifecycle.send_unsent(older_than=3600) == []  # too recent: its own send may still be under way
    assert lifecycle.send_unsent(older_than=0) == [f"{session.pk}: sent"]
    session.refresh_from_db()
    assert sent[0]["args"] == [session.pk] and session.task_id == "t-9" and not session.unsent
    assert lifecycle.send_unsent(older_than=0) == []  # sent once


def test_reprocessing_while_the_broker_is_down_says_what_happens(client, teacher, tmp_path, monkeypatch, settings):
    settings.MEDIA_ROOT = tmp_path
    session = make_session(teacher, status="failed", video_file="uploads/x.mp4", keep_video=True)
    session.video_path.parent.mkdir(parents=True)
    write_clip(session.video_path, seconds=1)
    monkeypatch.setattr(process_session, "apply_async", broker_down)
    client.force_login(teacher)
    page = client.post(f"/sessions/{session.pk}/reprocess/", follow=True)
    assert "cannot be reached just now" in page.content.decode()
    session.refresh_from_db()
    assert session.unsent


def test_with_redis_stopped_an_upload_is_answered_at_once_and_processed_once_redis_is_back(
    teacher, private_redis, test_database_url, tmp_path
):
    classroom = Classroom.objects.create(teacher=teacher, name="Physics")
    env = {**os.environ, "REDIS_URL": private_redis.url, "CELERY_BROKER_URL": "", "DATABASE_URL": test_database_url}
    web = LiveStack(test_database_url, tmp_path / "web.log", env, worker=False, web_processes=1)
    port, worker = web.port, None
    try:
        private_redis.kill()  # the broker goes down

        client = Client()
        client.force_login(teacher)
        kind, body = multipart(
            {"classroom": classroom.pk, "students_informed": "on"},
            "session.mp4",
            write_clip(tmp_path / "l.mp4").read_bytes(),
        )
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/sessions/upload/",
            data=body,
            headers={
                "Content-Type": kind,
                "Accept": "application/json",
                "Cookie": f"sessionid={client.cookies['sessionid'].value}; csrftoken=t0kent0kent0kent0kent0kent0kent0",
                "X-CSRFToken": "t0kent0kent0kent0kent0kent0kent0",
            },
        )
        started = time.monotonic()
        with urllib.request.urlopen(request, timeout=60) as response:
            status, answer = response.status, json.loads(response.read())
        assert status == 202 and "cannot be reached just now" in answer["notice"]
        assert time.monotonic() - started < 10
        session = Session.objects.get(pk=answer["id"])
        assert session.unsent and session.video_path.exists()

        private_redis.start()  # back, empty; a worker's watchdog sends what waited
        worker_env = {**env, "WORKER_HEARTBEAT_SECONDS": "1"}
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "eyeclass", "worker", "-c", "1", "-n", "outbox@%h"],
            cwd=REPO,
            env=worker_env,
            stdout=(tmp_path / "worker.log").open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

        def picked_up():
            session.refresh_from_db()
            return session.status in ("processing", "done")

        wait_until(picked_up, 120, "the upload picked up after the broker came back")
    finally:
        web.stop()
        if worker is not None:
            os.killpg(worker.pid, signal.SIGKILL)
