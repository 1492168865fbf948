"""Request bodies are refused by size before they are read, and every refusal says why."""

import asyncio
import json

import pytest
from channels.db import database_sync_to_async
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client

from eyeclass.asgi import application

pytestmark = pytest.mark.django_db(transaction=True)
MiB = 1024 * 1024


class Exchange:
    """One HTTP request through the ASGI app, with a body that arrives in pieces."""

    def __init__(self, path, headers, pieces=(), method="POST", stall=False):
        self.path, self.headers, self.pieces, self.method = path, headers, list(pieces), method
        self.stall = stall  # the body stops arriving after its pieces, unfinished
        self.reads, self.sent = 0, []

    async def receive(self):
        self.reads += 1
        if self.pieces:
            body = self.pieces.pop(0)
            return {"type": "http.request", "body": body, "more_body": self.stall or bool(self.pieces)}
        await asyncio.Event().wait()  # the client stays connected until the answer (Django stops listening)

    async def send(self, message):
        self.sent.append(message)

    async def run(self):
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": self.method,
            "scheme": "http",
            "path": self.path,
            "raw_path": self.path.encode(),
            "root_path": "",
            "query_string": b"",
            "headers": [(k.lower().encode(), v.encode()) for k, v in self.headers.items()],
            "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", 8000),
        }
        await application(scope, self.receive, self.send)
        starts = [m for m in self.sent if m["type"] == "http.response.start"]
        assert len(starts) == 1, self.sent
        self.status = starts[0]["status"]
        self.response_headers = dict(starts[0]["headers"])
        self.body = b"".join(m.get("body", b"") for m in self.sent if m["type"] == "http.response.body")
        return self


@database_sync_to_async
def session_cookie(user, log_out=False) -> str:
    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"].value
    if log_out:
        client.logout()
    return f"sessionid={cookie}"


def multipart(size: int, boundary="b0undary") -> tuple[dict, bytes]:
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="video"; filename="x.mp4"\r\n\r\n'.encode()
        + b"\0" * size
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return {"Content-Type": f"multipart/form-data; boundary={boundary}", "Content-Length": str(len(body))}, body


async def test_an_anonymous_body_over_the_small_limit_is_refused_before_a_byte_is_read():
    exchange = await Exchange("/accounts/login/", {"Content-Length": str(100 * MiB)}, [b"x" * MiB]).run()
    assert exchange.status == 413 and exchange.reads == 0
    assert exchange.response_headers[b"connection"] == b"close"
    assert b"over the 2621440-byte limit" in exchange.body and b"logged-in teacher" in exchange.body


async def test_an_anonymous_upload_gets_the_small_limit_too():
    headers, _ = multipart(10 * MiB)
    exchange = await Exchange("/sessions/upload/", headers).run()
    assert exchange.status == 413 and exchange.reads == 0


async def test_a_teacher_may_upload_up_to_the_upload_limit_and_not_more(teacher, settings):
    settings.UPLOAD_MAX_BYTES = 5 * MiB
    cookie = await session_cookie(teacher)
    token = _get_new_csrf_string()
    csrf = {"Cookie": f"{cookie}; csrftoken={token}", "X-CSRFToken": token}
    headers, body = multipart(3 * MiB)  # over the small limit, under the upload limit
    accepted = await Exchange("/sessions/upload/", {**headers, **csrf, "Accept": "application/json"}, [body]).run()
    assert accepted.status == 400 and accepted.reads >= 1  # read and checked by the form
    assert "classroom" in json.loads(accepted.body)["errors"]
    headers, _ = multipart(7 * MiB)
    refused = await Exchange("/sessions/upload/", {**headers, "Cookie": cookie, "Accept": "application/json"}).run()
    assert refused.status == 413 and refused.reads == 0
    assert json.loads(refused.body)["limit"] == 6 * MiB and "uploads" in json.loads(refused.body)["error"]


async def test_a_logged_out_session_gets_the_small_limit(teacher):
    cookie = await session_cookie(teacher, log_out=True)
    headers, _ = multipart(10 * MiB)
    exchange = await Exchange("/sessions/upload/", {**headers, "Cookie": cookie}).run()
    assert exchange.status == 413 and exchange.reads == 0


async def test_a_raw_body_to_the_upload_page_gets_the_small_limit(teacher):
    cookie = await session_cookie(teacher)
    headers = {"Content-Type": "application/octet-stream", "Content-Length": str(100 * MiB), "Cookie": cookie}
    exchange = await Exchange("/sessions/upload/", headers).run()
    assert exchange.status == 413 and exchange.reads == 0


async def test_a_chunked_body_is_cut_off_once_it_passes_the_limit():
    exchange = await Exchange("/accounts/login/", {}, [b"x" * MiB] * 50).run()
    assert exchange.status == 413 and exchange.reads == 3  # 3 MiB read: over 2.5 MiB, then refused
    assert len(exchange.pieces) == 47


async def test_a_video_sent_chunked_is_accepted_like_one_with_a_length(teacher, tmp_path, monkeypatch):
    from eyeclass.classrooms.models import Classroom
    from eyeclass.lectures.models import Session
    from eyeclass.lectures.tasks import process_session
    from tests.clips import write_clip

    monkeypatch.setattr(process_session, "apply_async", lambda **kw: type("Sent", (), {"id": "t-1"})())
    classroom = await database_sync_to_async(Classroom.objects.create)(teacher=teacher, name="Physics")
    video = write_clip(tmp_path / "session.mp4", seconds=2).read_bytes()
    boundary = "b0undary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="classroom"\r\n\r\n{classroom.pk}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="students_informed"\r\n\r\non\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="video"; filename="session.mp4"\r\n\r\n'
        ).encode()
        + video
        + f"\r\n--{boundary}--\r\n".encode()
    )
    cookie = await session_cookie(teacher)
    token = _get_new_csrf_string()
    headers = {
        "Content-Type": f"multipart/form-data; boundary={boundary}",
        "Transfer-Encoding": "chunked",  # and no Content-Length
        "Cookie": f"{cookie}; csrftoken={token}",
        "X-CSRFToken": token,
        "Accept": "application/json",
    }
    pieces = [body[i : i + 65536] for i in range(0, len(body), 65536)]
    exchange = await Exchange("/sessions/upload/", headers, pieces).run()
    assert exchange.status == 201, exchange.body
    session = await database_sync_to_async(Session.objects.get)()
    assert session.video_path.read_bytes() == video and session.duration == 2.0


@pytest.mark.parametrize("method", ["GET", "HEAD", "OPTIONS"])
async def test_a_body_sent_with_a_get_gets_the_small_limit_too(method):
    declared = await Exchange("/healthz", {"Content-Length": str(400 * MiB)}, [b"x" * MiB], method=method).run()
    assert declared.status == 413 and declared.reads == 0
    chunked = await Exchange("/healthz", {}, [b"x" * MiB] * 50, method=method).run()
    assert chunked.status == 413 and chunked.reads == 3 and len(chunked.pieces) == 47


async def test_a_body_that_stops_arriving_is_answered_408_and_the_view_never_runs(settings):
    settings.EYECLASS_BODY_IDLE_TIMEOUT_SECONDS = 0.3
    headers = {"Content-Length": str(2 * MiB), "Accept": "application/json"}
    exchange = await asyncio.wait_for(Exchange("/accounts/login/", headers, [b"x" * 10], stall=True).run(), 10)
    assert exchange.status == 408 and exchange.response_headers[b"connection"] == b"close"
    assert "stopped arriving" in json.loads(exchange.body)["error"]


async def test_a_body_that_keeps_coming_is_not_cut_off_by_the_idle_limit(settings):
    settings.EYECLASS_BODY_IDLE_TIMEOUT_SECONDS = 5
    exchange = await Exchange("/accounts/login/", {}, [b"x" * 1000] * 20).run()
    assert exchange.status != 408


def test_a_small_raw_body_to_the_upload_page_is_told_to_send_a_form(client, teacher):
    client.force_login(teacher)
    response = client.post(
        "/sessions/upload/", data=b"\0" * 1000, content_type="video/mp4", HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 415
    assert "multipart/form-data" in response.json()["errors"]["video"][0]


@pytest.mark.parametrize("accept", ["application/json", "text/html"])
def test_a_malformed_multipart_body_gets_a_reason_not_a_bare_400(client, teacher, accept):
    client.force_login(teacher)
    response = client.post(
        "/sessions/upload/", data=b"--x\r\ngarbage", content_type="multipart/form-data", HTTP_ACCEPT=accept
    )
    assert response.status_code == 400
    text = response.json()["error"] if accept == "application/json" else response.content.decode()
    assert "malformed multipart/form-data" in text
