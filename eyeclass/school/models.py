"""What a school keeps about who did what: the audit log and the students-were-informed confirmations.

Neither ever holds a number from the analysis: an entry names an action, who did it, when, and what it
was done to (by kind, id and a label such as the session's title), so the log can be read by a school
administrator who may not see the sessions themselves.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone


class AuditEntry(models.Model):
    class Action(models.TextChoices):
        UPLOADED = "uploaded", "uploaded"
        STARTED_LIVE = "started_live", "started a live session"
        VIEWED = "viewed", "viewed"
        EXPORTED = "exported", "exported"
        DELETED = "deleted", "deleted"
        INVITED = "invited", "invited"
        DEACTIVATED = "deactivated", "deactivated"
        REACTIVATED = "reactivated", "reactivated"
        TRANSFERRED = "transferred", "transferred"

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    # the account may be deleted later; its name stays in `actor_name`. No actor: the system (retention).
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    actor_name = models.CharField(max_length=150)
    action = models.CharField(max_length=20, choices=Action.choices)
    target_kind = models.CharField(max_length=20)  # session, class, teacher
    target_id = models.BigIntegerField(null=True)
    target_label = models.CharField(max_length=300)
    detail = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.get_action_display()} {self.target_label}"

    @classmethod
    def record(cls, actor, action: str, target, detail: str = "") -> AuditEntry:
        """One entry; `actor` None is the system; `target` a session, a class or a user. A view of what
        the same person viewed less than EYECLASS_AUDIT_VIEW_MINUTES ago adds nothing (the earlier entry is
        returned), so a page left refreshing cannot flood the log; the log then says when a viewing began."""
        kind, label = describe(target)
        person = actor if actor is not None and actor.is_authenticated else None
        if action == cls.Action.VIEWED and settings.EYECLASS_AUDIT_VIEW_MINUTES:
            since = timezone.now() - timedelta(minutes=settings.EYECLASS_AUDIT_VIEW_MINUTES)
            recent = cls.objects.filter(
                actor=person, action=action, target_kind=kind, target_id=target.pk, at__gte=since
            ).first()
            if recent is not None:
                return recent
        return cls.objects.create(
            actor=person,
            actor_name=person.get_username() if person is not None else "system",
            action=action,
            target_kind=kind,
            target_id=target.pk,
            target_label=label[:300],
            detail=detail[:300],
        )

    @classmethod
    def prune(cls, now: datetime | None = None) -> int:
        """Delete entries older than EYECLASS_AUDIT_DAYS (one DELETE, whatever their number); how many went."""
        cutoff = (now or timezone.now()) - timedelta(days=settings.EYECLASS_AUDIT_DAYS)
        deleted, _ = cls.objects.filter(at__lt=cutoff).delete()
        return deleted


def describe(target) -> tuple[str, str]:
    """The kind and a readable label of what an entry is about: titles and names, never results."""
    meta = target._meta
    if meta.label_lower == "lectures.session":
        return "session", f"“{target.title}” (class “{target.classroom.name}”, {target.classroom.teacher})"
    if meta.label_lower == "classrooms.classroom":
        return "class", f"“{target.name}” ({target.teacher})"
    return "teacher", target.get_username()


class Consent(models.Model):
    """A teacher's confirmation that the students were told, recorded before a session was analysed."""

    session = models.OneToOneField("lectures.Session", on_delete=models.CASCADE, related_name="consent")
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    confirmed_by_name = models.CharField(max_length=150)
    confirmed_at = models.DateTimeField(auto_now_add=True)
    notice = models.TextField()  # the text shown then; the configured notice may change later

    def __str__(self) -> str:
        return f"{self.confirmed_by_name} at {self.confirmed_at:%Y-%m-%d %H:%M}"

    @classmethod
    def record(cls, session, user) -> Consent:
        return cls.objects.create(
            session=session,
            confirmed_by=user,
            confirmed_by_name=user.get_username(),
            notice=settings.EYECLASS_CONSENT_NOTICE,
        )
