"""The real web server as `manage.py serve` runs it: what reaches the app, and what it answers."""

import json
import socket
import struct
import time
from contextlib import contextmanager

import pytest
from django.test import Client
from django.utils import timezone
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from eyeclass.lectures.models import Session
from eyeclass.live.models import LiveConnection
from tests.waiting import wait_until
from tests.web.browser import LiveStack
from tests.web.factories import make_session

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def web(test_database_url, tmp_path_factory):
    timeouts = {"EYECLASS_HEADER_TIMEOUT_SECONDS": "1", "EYECLASS_BODY_IDLE_TIMEOUT_SECONDS": "1"}
    log = tmp_path_factory.mktemp("web") / "web.log"
    app = LiveStack(test_database_url, log, {**timeouts, "EYECLASS_TRUSTED_PROXIES": ""}, worker=False, web_processes=1)
    yield app.port
    app.stop()


@contextmanager
def live_socket(port, teacher):
    """A live session's socket; on leaving, waits until the server has stored the disconnect, so the
    next test's table flush never meets the server's last writes (a deadlock that fails the flush)."""
    session = make_session(teacher, source="live", status="live", live_worker="nobody@x", started_at=timezone.now())
    client = Client()
    client.force_login(teacher)
    headers = {"Cookie": f"sessionid={client.cookies['sessionid'].value}", "Origin": "http://127.0.0.1"}
    with connect(f"ws://127.0.0.1:{port}/ws/live/{session.pk}/", additional_headers=headers, open_timeout=10) as ws:
        assert json.loads(ws.recv(timeout=10))["type"] == "hello"
        yield ws
    wait_until(
        lambda: (
            not LiveConnection.objects.filter(session=session).exists()
            and Session.objects.get(pk=session.pk).live_connections == 0
        ),
        10,
        "the server to store the socket's disconnect",
    )


def jpeg_message(size: int) -> bytes:
    return struct.pack(">I", 1) + b"\xff\xd8" + b"\0" * (size - 6)


def test_a_frame_over_the_limit_gets_the_documented_refusal_and_the_socket_stays(web, teacher):
    with live_socket(web, teacher) as ws:
        ws.send(jpeg_message(3 * 1024 * 1024 // 2))
        answer = json.loads(ws.recv(timeout=10))
        assert answer["type"] == "dropped" and answer["reason"] == "too_large"
        ws.send(json.dumps({"type": "ping"}))
        assert json.loads(ws.recv(timeout=10))["type"] == "pong"


def test_a_frame_far_over_the_limit_closes_the_socket_with_message_too_big(web, teacher):
    with live_socket(web, teacher) as ws:
        ws.send(jpeg_message(5 * 1024 * 1024))
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=10)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009


def test_an_unknown_websocket_path_is_closed_not_an_error(web):
    with connect(f"ws://127.0.0.1:{web}/ws/nope/", additional_headers={"Origin": "http://127.0.0.1"}) as ws:
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=10)
    assert closed.value.rcvd.code == 4404 and closed.value.rcvd.reason == "no websocket at this path"


def test_a_body_declaring_gigabytes_is_answered_at_once(web):
    with socket.create_connection(("127.0.0.1", web), timeout=10) as sock:
        sock.sendall(
            b"POST /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=x\r\n"
            b"Content-Length: 3221225472\r\n\r\n" + b"\0" * 65536
        )
        answer = sock.recv(4096)
    assert answer.startswith(b"HTTP/1.1 413") and b"connection: close" in answer.lower()


def read_all(sock) -> bytes:
    """Everything the server sends until it closes the connection."""
    chunks = []
    while chunk := sock.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


def test_a_client_trickling_its_headers_is_answered_408_and_closed(web):
    with socket.create_connection(("127.0.0.1", web), timeout=10) as sock:
        started = time.monotonic()
        sock.sendall(b"GET /healthz HTTP/1.1\r\n")
        for _ in range(4):  # a byte every 0.5 s: each arrives in time, the headers never do
            time.sleep(0.5)
            try:
                sock.sendall(b"X")
            except OSError:
                break
        answer = read_all(sock)
    assert answer.startswith(b"HTTP/1.1 408") and b"did not arrive in time" in answer
    assert time.monotonic() - started < 5


def test_a_connection_that_sends_nothing_is_closed(web):
    with socket.create_connection(("127.0.0.1", web), timeout=10) as sock:
        assert read_all(sock).startswith(b"HTTP/1.1 408")


def test_a_body_that_stops_arriving_is_answered_408_and_closed(web):
    with socket.create_connection(("127.0.0.1", web), timeout=10) as sock:
        sock.sendall(
            b"POST /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            b"Content-Length: 2000000\r\n\r\n" + b"x" * 10
        )
        answer = read_all(sock)
    assert answer.startswith(b"HTTP/1.1 408") and b"stopped arriving" in answer


def login_attempt(port: int, password: str, forwarded_for: str) -> int:
    """A login form post as a browser sends it, claiming to be `forwarded_for`; the HTTP status."""
    import http.client
    import re

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", "/accounts/login/")
    page = connection.getresponse()
    cookie = page.getheader("Set-Cookie").split(";")[0]
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.read())[1].decode()
    body = f"csrfmiddlewaretoken={token}&username=ada&password={password}"
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": cookie,
        "X-Forwarded-For": forwarded_for,
        "Referer": f"http://127.0.0.1:{port}/accounts/login/",
    }
    connection.request("POST", "/accounts/login/", body=body, headers=headers)
    status = connection.getresponse().status
    connection.close()
    return status


def test_the_login_lockout_cannot_be_dodged_by_claiming_another_address(web, teacher):
    statuses = [login_attempt(web, "wrong", f"10.0.0.{attempt}") for attempt in range(5)]
    assert statuses == [200, 200, 200, 200, 429]  # the form again with an error, then the lockout page
    assert login_attempt(web, "s3cret-pass-123", "10.9.9.9") == 429  # still this client: locked out
