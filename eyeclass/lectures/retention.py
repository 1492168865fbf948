"""Retention: sessions older than EYECLASS_RETENTION_DAYS go with their rows and kept video; kept videos
older than EYECLASS_KEEP_VIDEO_DAYS go while their session stays; audit entries older than
EYECLASS_AUDIT_DAYS go too, so the log stays bounded. Run by every worker's heartbeat thread
(eyeclass/ops/signals.py) and by `manage.py purge_expired`; each deletion is logged, without numbers."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from eyeclass.school.models import AuditEntry

from . import lifecycle
from .models import Session

log = logging.getLogger(__name__)
# a session being analysed or streamed is left alone: it goes at the first cleanup after it is saved
BUSY = (Session.Status.QUEUED, Session.Status.PROCESSING, Session.Status.LIVE)


def expires_at(session: Session) -> datetime | None:
    """When the cleanup deletes this session, or None when sessions are kept until deleted by hand."""
    days = settings.EYECLASS_RETENTION_DAYS
    return session.created_at + timedelta(days=days) if days and session.created_at else None


def video_expires_at(session: Session) -> datetime | None:
    """When the cleanup deletes this session's kept video (None: no kept video, or no video limit)."""
    days = settings.EYECLASS_KEEP_VIDEO_DAYS
    return session.created_at + timedelta(days=days) if days and session.has_recording else None


def purge_expired(now: datetime | None = None) -> list[str]:
    """Delete what is past its retention at `now` (default: the clock); one line per deletion, logged too."""
    now = now or timezone.now()
    removed = []
    if settings.EYECLASS_RETENTION_DAYS:
        cutoff = now - timedelta(days=settings.EYECLASS_RETENTION_DAYS)
        for session in Session.objects.filter(created_at__lt=cutoff).exclude(status__in=BUSY).defer("charts"):
            rows = (session.seconds.count(), session.tracks.count(), session.events.count())
            video = " and its kept video" if session.video_file else ""
            pk = session.pk  # None once deleted
            lifecycle.delete(session, reason=f"older than {settings.EYECLASS_RETENTION_DAYS:g} days")
            removed.append(
                f"session {pk} of class {session.classroom_id}, recorded {session.created_at:%Y-%m-%d}: "
                f"deleted with {rows[0]} second rows, {rows[1]} student rows, {rows[2]} events{video} "
                f"(older than {settings.EYECLASS_RETENTION_DAYS:g} days)"
            )
    if settings.EYECLASS_KEEP_VIDEO_DAYS:
        cutoff = now - timedelta(days=settings.EYECLASS_KEEP_VIDEO_DAYS)
        kept = Session.objects.filter(created_at__lt=cutoff, keep_video=True).exclude(video_file="")
        for session in kept.exclude(status__in=BUSY).defer("charts"):
            session.delete_video()
            removed.append(
                f"session {session.pk}: kept video deleted (older than {settings.EYECLASS_KEEP_VIDEO_DAYS:g} days), "
                "the session stays"
            )
    old_entries = AuditEntry.prune(now)  # after the deletions above, whose own entries are new
    if old_entries:
        removed.append(f"audit log: {old_entries} entries older than {settings.EYECLASS_AUDIT_DAYS:g} days deleted")
    for line in removed:
        log.info("retention: %s", line)
    return removed
