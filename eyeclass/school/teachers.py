"""Bringing teachers in and letting them go: invitations by email and deactivation with their classes.

An invitation is an account with no usable password and a link made by Django's password-reset token
generator: the link works once (the token depends on the password, which setting one changes) and for
PASSWORD_RESET_TIMEOUT; no token is stored. The teacher logs in with the email address as username.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from eyeclass.classrooms.models import Classroom

from .models import AuditEntry


def invitation_link(user, site_url: str) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return site_url.rstrip("/") + reverse("invitation_accept", args=[uid, token])


def invite_teacher(email: str, invited_by=None, site_url: str | None = None, name: str = ""):
    """Create (or, for an invitation not yet taken up, renew) the account of `email` and email it a link
    to set its password. ValidationError when an active account already uses that address."""
    User = get_user_model()
    email = User.objects.normalize_email(email.strip()).lower()
    existing = User.objects.filter(Q(username__iexact=email) | Q(email__iexact=email)).first()
    if existing is not None and (existing.has_usable_password() or not existing.is_active):
        raise ValidationError(f"{email} already has an account.")
    user = existing or User(username=email, email=email)
    if name:
        user.first_name, _, user.last_name = name.strip().partition(" ")
    user.set_unusable_password()
    user.save()
    link = invitation_link(user, site_url or settings.CONFIG.eyeclass_site_url)
    context = {"link": link, "invited_by": invited_by, "email": email, "days": settings.PASSWORD_RESET_TIMEOUT // 86400}
    send_mail(
        "You are invited to EyeClass",
        render_to_string("school/invitation_email.txt", context),
        None,
        [email],
    )
    AuditEntry.record(invited_by, AuditEntry.Action.INVITED, user)
    return user


def teachers():
    """Every account but the operators' superusers, with how many classes and sessions each has."""
    return (
        get_user_model()
        .objects.filter(is_superuser=False)
        .annotate(class_count=Count("classrooms", distinct=True), session_count=Count("classrooms__sessions"))
        .order_by("-is_active", "username")
    )


def is_invited(user) -> bool:
    """Invited and not yet set a password."""
    return user.is_active and not user.has_usable_password() and user.last_login is None


@transaction.atomic
def deactivate(teacher, by, transfer_to=None) -> int:
    """Stop `teacher` logging in (their open pages stop at the next request). Their classes stay theirs,
    kept for the school, or go to `transfer_to`; a class whose name the receiver already uses gets the
    leaver's name added. Returns how many classes moved."""
    if transfer_to is not None and (transfer_to == teacher or not transfer_to.is_active):
        raise ValidationError("Transfer the classes to another active teacher.")
    moved = 0
    if transfer_to is not None:
        taken = set(Classroom.objects.filter(teacher=transfer_to).values_list("name", flat=True))
        for classroom in Classroom.objects.filter(teacher=teacher):
            if classroom.name in taken:
                classroom.name = f"{classroom.name} ({teacher.get_username()})"[:120]
            classroom.teacher = transfer_to
            classroom.save(update_fields=["name", "teacher"])
            AuditEntry.record(by, AuditEntry.Action.TRANSFERRED, classroom, f"from {teacher.get_username()}")
            moved += 1
    teacher.is_active = False
    teacher.save(update_fields=["is_active"])
    detail = f"classes moved to {transfer_to.get_username()}" if transfer_to else "classes kept"
    AuditEntry.record(by, AuditEntry.Action.DEACTIVATED, teacher, detail)
    return moved


def reactivate(teacher, by) -> None:
    teacher.is_active = True
    teacher.save(update_fields=["is_active"])
    AuditEntry.record(by, AuditEntry.Action.REACTIVATED, teacher)
