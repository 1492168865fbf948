from channels.generic.websocket import AsyncWebsocketConsumer
from django.urls import path, re_path

from eyeclass.accounts.consumers import TeacherUpdatesConsumer
from eyeclass.live.consumers import LiveConsumer


class UnknownPath(AsyncWebsocketConsumer):
    """Any other websocket path: a close frame that says so (the router alone would fail with HTTP 500)."""

    async def connect(self) -> None:
        await self.accept()
        await self.close(code=4404, reason="no websocket at this path")


websocket_urlpatterns = [
    path("ws/updates/", TeacherUpdatesConsumer.as_asgi()),
    path("ws/live/<int:pk>/", LiveConsumer.as_asgi()),
    re_path(r"", UnknownPath.as_asgi()),
]
