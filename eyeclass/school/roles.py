"""The school administrator role: a Django group, so a school needs no superuser to run its staff."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied

SCHOOL_ADMINISTRATORS = "School administrators"


def is_school_admin(user) -> bool:
    """Members of the group; a superuser counts too (an operator can always step in)."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or user.groups.filter(name=SCHOOL_ADMINISTRATORS).exists()


def make_school_admin(user) -> None:
    group, _ = Group.objects.get_or_create(name=SCHOOL_ADMINISTRATORS)
    user.groups.add(group)


def school_admin_required(view):
    """Logged in (else the login page) and a school administrator (else 403)."""

    @login_required
    @wraps(view)
    def guarded(request, *args, **kwargs):
        if not is_school_admin(request.user):
            raise PermissionDenied("Only a school administrator can open this page.")
        return view(request, *args, **kwargs)

    return guarded
