"""Live sockets that end badly, through the real web server and a real worker, on both channel layers:
clients that vanish mid-stream and clients that keep sending after Stop. Every socket's bookkeeping
runs, the connection count ends at 0 and the session is saved."""

import json
import os
import socket
import struct
import threading
import time

import cv2
import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from eyeclass.lectures.models import Session
from tests.clips import astronaut_face
from tests.waiting import wait_until
from tests.web.browser import LiveStack
from tests.web.factories import make_session

pytestmark = pytest.mark.django_db(transaction=True)
GRACE = 2.0  # seconds the server waits for a dropped camera page to come back


@pytest.fixture(params=["memory", "redis"], scope="module")
def live_web(request, test_database_url, celery_worker_process, tmp_path_factory):
    """`serve --no-worker` with the in-memory or the Redis channel layer; frames go to the test worker."""
    env = {"EYECLASS_LIVE_GRACE_SECONDS": str(GRACE)}
    if request.param == "redis":
        if not os.environ.get("REDIS_URL"):
            pytest.skip("needs REDIS_URL (CI sets it)")
    else:  # the worker's broker and results, but no shared channel layer: replies come through results
        env.update(
            DJANGO_SETTINGS_MODULE="eyeclass.settings",  # tests.settings would drop CELERY_RESULT_BACKEND
            REDIS_URL="",
            CELERY_BROKER_URL=settings.CELERY_BROKER_URL,
            CELERY_RESULT_BACKEND=settings.CELERY_RESULT_BACKEND,
        )
    log = tmp_path_factory.mktemp("live-web") / "web.log"
    app = LiveStack(test_database_url, log, env, worker=False, web_processes=1)
    yield app.port, celery_worker_process
    app.stop()


def open_socket(port: int, session: Session, cookie: str):
    headers = {"Cookie": f"sessionid={cookie}", "Origin": "http://127.0.0.1"}
    ws = connect(f"ws://127.0.0.1:{port}/ws/live/{session.pk}/", additional_headers=headers, open_timeout=10)
    assert json.loads(ws.recv(timeout=10))["type"] == "hello"
    return ws


def frame(seq: int) -> bytes:
    small = cv2.resize(astronaut_face(), (120, 130))
    return struct.pack(">I", seq) + cv2.imencode(".jpg", small)[1].tobytes()


def abort(ws) -> None:
    """Vanish as a crashed browser or a cut network does: a TCP reset, no closing handshake."""
    ws.socket.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    ws.socket.close()


def live_session(teacher, worker: str) -> tuple[Session, str]:
    session = make_session(teacher, source="live", status="live", live_worker=worker, started_at=timezone.now())
    client = Client()
    client.force_login(teacher)
    return session, client.cookies["sessionid"].value


def test_ten_sockets_aborted_mid_stream_leave_no_connection_counted_and_the_session_saved(live_web, teacher):
    port, worker = live_web
    session, cookie = live_session(teacher, worker.hostname)
    sockets = [open_socket(port, session, cookie) for _ in range(10)]
    assert Session.objects.get(pk=session.pk).live_connections == 10
    sent = [0] * len(sockets)

    def stream(i: int, ws) -> None:  # two seconds of frames as fast as it goes, far over the rate limit: a reply each
        data, until = frame(1), time.monotonic() + 2.0
        while time.monotonic() < until:
            sent[i] += 1
            ws.send(struct.pack(">I", sent[i]) + data[4:])

    threads = [threading.Thread(target=stream, args=(i, ws)) for i, ws in enumerate(sockets)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for ws in sockets:
        abort(ws)
    wait_until(lambda: Session.objects.get(pk=session.pk).live_connections == 0, 15, "every aborted socket counted out")
    saved = wait_until(
        lambda: Session.objects.filter(pk=session.pk, status=Session.Status.DONE).first(),
        GRACE + 30,
        "the session closed and saved after the grace period",
    )
    assert 0 < saved.frames_received <= sum(sent)  # every socket's counters were stored as it went
    assert saved.frames_analysed > 0
    worker_log = worker.log_path.read_text()
    assert "live.finish[" in worker_log  # the worker logs its tasks at INFO...
    assert "live.frame[" not in worker_log and "inter_ocular" not in worker_log  # ...but no frame, no face


def test_frames_sent_after_stop_are_ignored_and_the_socket_is_counted_out(live_web, teacher):
    port, worker = live_web
    session, cookie = live_session(teacher, worker.hostname)
    ws = open_socket(port, session, cookie)
    ws.send(json.dumps({"type": "stop"}))
    for seq in range(1, 6):
        ws.send(frame(seq))
    kinds = []
    try:
        while True:
            kinds.append(json.loads(ws.recv(timeout=60))["type"])
    except ConnectionClosed:
        pass
    assert kinds[-1] == "stopped"
    wait_until(lambda: Session.objects.get(pk=session.pk).live_connections == 0, 15, "the stopped socket counted out")
    assert Session.objects.get(pk=session.pk).status == Session.Status.DONE
