from __future__ import annotations

from channels.generic.websocket import AsyncJsonWebsocketConsumer

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
        await self.send_json({"type": "hello", "user": user.get_username()})

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content, **kwargs) -> None:
        if isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"type": "pong"})
        else:
            await self.send_json({"type": "error", "error": 'this socket only accepts {"type": "ping"}'})

    async def receive(self, text_data=None, bytes_data=None, **kwargs) -> None:
        try:
            await super().receive(text_data=text_data, bytes_data=bytes_data, **kwargs)
        except ValueError:  # malformed JSON or a binary frame: answer, keep the socket
            await self.send_json({"type": "error", "error": "malformed message: expected a JSON object"})

    async def teacher_update(self, event: dict) -> None:
        await self.send_json(event["message"])
