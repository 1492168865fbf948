"""Single sign-on through the school's OpenID Connect provider (mozilla-django-oidc), off unless configured.

The provider proves who someone is; EyeClass still decides who is a teacher here. A verified email is
matched to an account's email or username (invited teachers use their address as username), so only
invited or existing teachers get in, and a deactivated one stays out, also with a session opened
before. New accounts are made at first sign-in only when EYECLASS_SSO_CREATE_USERS is on. The trade-off:
the school's provider must send `email`, and an address two accounts share signs in neither.
Logging out leaves the provider's own session open, as logging out of one site should.
"""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.db.models import Q
from django.http import Http404
from django.urls import reverse
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView


def _email(claims: dict) -> str:
    return str(claims.get("email") or "").strip().lower()


class TeacherOIDCBackend(OIDCAuthenticationBackend):
    def verify_claims(self, claims: dict) -> bool:
        """An address, and one the provider has not said is unverified."""
        return bool(_email(claims)) and claims.get("email_verified", True) is not False

    def filter_users_by_claims(self, claims: dict):
        email = _email(claims)
        if not email:
            return self.UserModel.objects.none()
        return self.UserModel.objects.filter(Q(email__iexact=email) | Q(username__iexact=email))

    def create_user(self, claims: dict):
        """Only with EYECLASS_SSO_CREATE_USERS, whatever OIDC_CREATE_USER (on in the library unless set)
        says: named like an invited teacher, with no password of its own."""
        if not settings.EYECLASS_SSO_CREATE_USERS:
            raise SuspiciousOperation("no teacher has this address")
        email = _email(claims)
        return self.UserModel.objects.create_user(
            email,
            email=email,
            first_name=str(claims.get("given_name") or "")[:150],
            last_name=str(claims.get("family_name") or "")[:150],
        )

    def update_user(self, user, claims: dict):
        if not user.is_active:  # the library then refuses the sign-in, and never makes a second account
            raise SuspiciousOperation("a deactivated teacher tried to sign in")
        return user

    def get_user(self, user_id):
        """Each request's user: none once deactivated, as Django's own backend does."""
        user = super().get_user(user_id)
        return user if user is not None and user.is_active else None


def not_a_password(request, credentials) -> bool:
    """django-axes leaves the SSO callback alone (AXES_WHITELIST_CALLABLE): it carries no password to
    guess, only a one-time code for a state this browser started, and refused sign-ins there have no
    username, so counting them would lock out every teacher behind the school's one address."""
    return request is not None and request.path == reverse("oidc_authentication_callback")


def only_when_configured(view):
    """The SSO addresses exist only while single sign-on is on (EYECLASS_SSO)."""

    @wraps(view)
    def guarded(request, *args, **kwargs):
        if not settings.EYECLASS_SSO:
            raise Http404("Single sign-on is not configured.")
        return view(request, *args, **kwargs)

    return guarded


start = only_when_configured(OIDCAuthenticationRequestView.as_view())
callback = only_when_configured(OIDCAuthenticationCallbackView.as_view())
