"""Push JSON messages to one teacher's open browser tabs (through the channel layer)."""

from __future__ import annotations

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer


def teacher_group(user_id: int) -> str:
    return f"teacher.{user_id}"


def notify_teacher(user_id: int, message: dict) -> None:
    layer = get_channel_layer()
    async_to_sync(layer.group_send)(teacher_group(user_id), {"type": "teacher.update", "message": message})
