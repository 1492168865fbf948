from django.conf import settings

from .roles import is_school_admin


def role(request) -> dict:
    """`school_admin`: whether the navigation offers the school pages; the notice students are given."""
    return {
        "school_admin": is_school_admin(request.user) if hasattr(request, "user") else False,
        "consent_notice": settings.EYECLASS_CONSENT_NOTICE,
    }
