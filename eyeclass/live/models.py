"""The sockets open on live sessions: a row each, so the session's connection count is a count of rows
and cannot drift the way a counter moved by +1/-1 does when one of the two steps is missed."""

from __future__ import annotations

from django.db import models
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce


class LiveConnection(models.Model):
    session = models.ForeignKey("lectures.Session", on_delete=models.CASCADE, related_name="connections")
    channel_name = models.CharField(max_length=200, unique=True)  # the socket's name on the channel layer
    opened_at = models.DateTimeField(auto_now_add=True)

    @classmethod
    def open(cls, session_id: int, channel_name: str) -> int:
        cls.objects.get_or_create(session_id=session_id, channel_name=channel_name)
        return cls.recount(session_id)

    @classmethod
    def close(cls, session_id: int, channel_name: str) -> int:
        """Forget a socket; closing one twice, or one never opened, changes nothing."""
        cls.objects.filter(channel_name=channel_name).delete()
        return cls.recount(session_id)

    @classmethod
    def recount(cls, session_id: int) -> int:
        """Store the session's open sockets in Session.live_connections, which the pages and the
        reconnect grace read, and return it."""
        from eyeclass.lectures.models import Session

        # one statement, so two sockets closing at once cannot store each other's stale count
        open_sockets = cls.objects.filter(session=OuterRef("pk")).values("session").annotate(n=Count("pk")).values("n")
        Session.objects.filter(pk=session_id).update(live_connections=Coalesce(Subquery(open_sockets), 0))
        return Session.objects.filter(pk=session_id).values_list("live_connections", flat=True).first() or 0
