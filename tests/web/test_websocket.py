import os

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.db import connections
from django.test import Client

from eyeclass.accounts.notify import notify_teacher
from eyeclass.asgi import application

pytestmark = pytest.mark.django_db(transaction=True)
ORIGIN = (b"origin", b"http://127.0.0.1:8000")


@pytest.fixture(autouse=True)
async def close_thread_connections():
    yield
    await database_sync_to_async(connections.close_all)()  # lets the test database be dropped


async def connect(path="/ws/updates/", headers=()):
    communicator = WebsocketCommunicator(application, path, headers=[ORIGIN, *headers])
    connected, code = await communicator.connect(timeout=5)
    return communicator, connected, code


@database_sync_to_async
def session_cookie_for(user):
    client = Client()
    client.force_login(user)
    return (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode())


async def test_it_rejects_anonymous_users():
    communicator, connected, code = await connect()
    assert not connected and code == 4401


async def test_it_rejects_other_origins(teacher):
    cookie = await session_cookie_for(teacher)
    communicator = WebsocketCommunicator(
        application, "/ws/updates/", headers=[(b"origin", b"http://evil.example"), cookie]
    )
    connected, _ = await communicator.connect(timeout=5)
    assert not connected


async def test_it_accepts_a_logged_in_teacher_and_relays_updates(teacher, other_teacher):
    mine, connected, _ = await connect(headers=[await session_cookie_for(teacher)])
    theirs, _, _ = await connect(headers=[await session_cookie_for(other_teacher)])
    assert connected
    pushes = "RedisChannelLayer" in settings.CHANNEL_LAYERS["default"]["BACKEND"]  # else the page polls often
    assert await mine.receive_json_from(timeout=5) == {"type": "hello", "user": "ada", "pushes": pushes}
    await theirs.receive_json_from(timeout=5)
    await database_sync_to_async(notify_teacher)(teacher.pk, {"type": "progress", "value": 42})
    assert await mine.receive_json_from(timeout=5) == {"type": "progress", "value": 42}
    assert await theirs.receive_nothing(timeout=0.5)  # another teacher's socket hears nothing
    await mine.disconnect()
    await theirs.disconnect()


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs the Redis channel layer")
async def test_it_stays_open_and_relays_after_an_idle_spell(teacher):
    """The Redis layer's blocking pop lasts 5 s; a client socket timeout at or under that closed idle sockets."""
    ws, _, _ = await connect(headers=[await session_cookie_for(teacher)])
    await ws.receive_json_from(timeout=5)
    assert await ws.receive_nothing(timeout=7.5, interval=0.5)  # no crash, no close
    await database_sync_to_async(notify_teacher)(teacher.pk, {"type": "progress", "value": 7})
    assert await ws.receive_json_from(timeout=5) == {"type": "progress", "value": 7}
    await ws.disconnect()


async def test_it_answers_malformed_frames_without_closing(teacher):
    ws, _, _ = await connect(headers=[await session_cookie_for(teacher)])
    await ws.receive_json_from(timeout=5)
    await ws.send_to(text_data="{not json")
    assert (await ws.receive_json_from(timeout=5))["type"] == "error"
    await ws.send_json_to({"type": "ping"})
    assert await ws.receive_json_from(timeout=5) == {"type": "pong"}
    await ws.disconnect()


def test_the_channel_layer_is_redis_when_configured():
    import os

    backend = settings.CHANNEL_LAYERS["default"]["BACKEND"]
    assert backend.endswith("RedisChannelLayer" if os.environ.get("REDIS_URL") else "InMemoryChannelLayer")
