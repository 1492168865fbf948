"""Request body limits, enforced in front of Django before a body is read.

Django reads a whole request body (spooled to disk past FILE_UPLOAD_MAX_MEMORY_SIZE) before a view or
an upload handler can refuse it, so an anonymous visitor could make it write gigabytes. Here every
request gets a limit from its path and its sender: a logged-in teacher posting to the upload page may
send a multipart form of up to UPLOAD_MAX_BYTES (plus room for the form's other fields), everything else at most
EYECLASS_MAX_BODY_BYTES, whatever the method (a GET may carry a body too). A body that declares more is
answered 413 at once and the connection closed; a chunked body is counted as it arrives and cut off the
same way. A body that stops arriving for EYECLASS_BODY_IDLE_TIMEOUT_SECONDS is answered 408: the clock
runs only while the app waits for more body, so a slow view is never cut off.
"""

from __future__ import annotations

import asyncio
import json
from importlib import import_module
from types import SimpleNamespace

from asgiref.sync import sync_to_async
from django.conf import settings
from django.http import parse_cookie
from django.urls import reverse

FORM_ROOM = 1024 * 1024  # bytes for the upload form's other fields and multipart boundaries


def header(scope: dict, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return value.decode("latin-1")
    return None


def declared_length(scope: dict) -> int | None:
    value = header(scope, b"content-length")
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _is_teacher(session_key: str) -> bool:
    from django.contrib.auth import get_user
    from django.db import close_old_connections

    engine = import_module(settings.SESSION_ENGINE)
    try:
        # Django's own check: the session names an active user whose password has not changed since
        return get_user(SimpleNamespace(session=engine.SessionStore(session_key))).is_authenticated
    finally:
        close_old_connections()


class BodyLimit:
    """ASGI middleware: refuse (413) any HTTP request whose body is over its limit, before reading it."""

    def __init__(self, app) -> None:
        self.app = app
        self.upload_path: str | None = None

    async def limit_for(self, scope: dict) -> int:
        if self.upload_path is None:
            self.upload_path = reverse("upload")
        content_type = (header(scope, b"content-type") or "").split(";")[0].strip().lower()
        if (
            scope.get("method") == "POST"
            and scope.get("path") == self.upload_path
            and content_type == "multipart/form-data"
        ):
            session_key = parse_cookie(header(scope, b"cookie") or "").get(settings.SESSION_COOKIE_NAME)
            if session_key and await sync_to_async(_is_teacher, thread_sensitive=False)(session_key):
                return settings.UPLOAD_MAX_BYTES + FORM_ROOM
        return settings.EYECLASS_MAX_BODY_BYTES

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        # every method: Django reads (and spools to disk) any body before routing, a GET's included
        limit = await self.limit_for(scope)
        declared = declared_length(scope)
        if declared is not None and declared > limit:
            return await refuse(scope, send, declared, limit)
        received, refused, complete = 0, False, False

        async def counted_receive():
            nonlocal received, refused, complete
            if complete or refused:
                return await receive()  # the app now only listens for a disconnect: no deadline
            try:
                message = await asyncio.wait_for(receive(), settings.EYECLASS_BODY_IDLE_TIMEOUT_SECONDS)
            except TimeoutError:
                refused = True
                await answer(scope, send, 408, "The request body stopped arriving; send it again.")
                return {"type": "http.disconnect"}  # Django stops reading and sends nothing
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                complete = not message.get("more_body", False)
                if received > limit:  # a chunked body with no declared length
                    refused = True
                    await refuse(scope, send, received, limit)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message):
            if not refused:
                await send(message)

        await self.app(scope, counted_receive, guarded_send)


async def refuse(scope: dict, send, size: int, limit: int) -> None:
    upload = limit > settings.EYECLASS_MAX_BODY_BYTES
    reason = f"The request body ({size} bytes) is over the {limit}-byte limit for " + (
        "uploads."
        if upload
        else "this address; only a logged-in teacher's upload form (multipart/form-data) takes large files."
    )
    await answer(scope, send, 413, reason, limit=limit)


async def answer(scope: dict, send, status: int, reason: str, **extra) -> None:
    """An error answer that closes the connection: JSON for API callers, plain text for the rest."""
    if "application/json" in (header(scope, b"accept") or ""):
        body, kind = json.dumps({"error": reason, **extra}).encode(), b"application/json"
    else:
        body, kind = reason.encode(), b"text/plain; charset=utf-8"
    headers = [(b"content-type", kind), (b"content-length", str(len(body)).encode()), (b"connection", b"close")]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
