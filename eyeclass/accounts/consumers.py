from __future__ import annotations

from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.layers import InMemoryChannelLayer

from eyeclass.live.protocol import MAX_TEXT_BYTES, control_kind

from .notify import teacher_group


class TeacherUpdatesConsumer(AsyncJsonWebsocketConsumer):
    """Relays updates for the logged-in teacher (e.g. processing progress); refuses anonymous users."""

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        self.group = teacher_group(user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        # without a shared channel layer (no Redis) workers cannot push here: the page then polls often
        pushes = not isinstance(self.channel_layer, InMemoryChannelLayer)
        await self.send_json({"type": "hello", "user": user.get_username(), "pushes": pushes})

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None, **kwargs) -> None:
        if control_kind(text_data or "") == "ping":
            await self.send_json({"type": "pong"})
        else:  # malformed, binary, too long or too deep: answer and keep the socket
            expected = f'this socket only accepts {{"type": "ping"}} (at most {MAX_TEXT_BYTES} bytes)'
            await self.send_json({"type": "error", "error": expected})

    async def teacher_update(self, event: dict) -> None:
        await self.send_json(event["message"])
