"""What every page may need to know about this deployment."""

from __future__ import annotations

from django.conf import settings


def deployment(request) -> dict:
    """`emotions_on`: whether this school reads emotions at all (EYECLASS_EMOTIONS), pages hide them when not;
    how long sessions and kept videos are kept (None: until deleted by hand); `sso_name`: the school's
    single sign-on, on the login page's button ("" when not configured)."""
    return {
        "emotions_on": settings.EYECLASS_EMOTIONS,
        "retention_days": settings.EYECLASS_RETENTION_DAYS,
        "keep_video_days": settings.EYECLASS_KEEP_VIDEO_DAYS,
        "sso_name": settings.EYECLASS_SSO_NAME if settings.EYECLASS_SSO else "",
    }
