"""Single sign-on: absent unless configured; when on, only invited or existing teachers get in, by email.

No network: the provider's answers (token, ID token, userinfo claims) are stood in for on the backend.
"""

from unittest import mock

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import SuspiciousOperation

from eyeclass.accounts.sso import TeacherOIDCBackend
from eyeclass.config import load, sso_settings

pytestmark = pytest.mark.django_db

PROVIDER = {
    "OIDC_RP_CLIENT_ID": "eyeclass",
    "OIDC_RP_CLIENT_SECRET": "provider-secret",
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "https://id.school.example/authorize",
    "OIDC_OP_TOKEN_ENDPOINT": "https://id.school.example/token",
    "OIDC_OP_USER_ENDPOINT": "https://id.school.example/userinfo",
    "OIDC_OP_JWKS_ENDPOINT": "https://id.school.example/jwks",
    "EYECLASS_SSO_NAME": "Northfield School",
}
BACKEND = "eyeclass.accounts.sso.TeacherOIDCBackend"


@pytest.fixture
def sso_on(settings):
    """The settings `eyeclass/settings.py` makes from a configured environment."""
    config = load(PROVIDER)
    for name, value in sso_settings(config).items():
        setattr(settings, name, value)
    settings.EYECLASS_SSO, settings.EYECLASS_SSO_NAME = True, config.eyeclass_sso_name
    settings.EYECLASS_SSO_CREATE_USERS = False
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, BACKEND]
    return settings


@pytest.fixture
def invited(django_user_model):
    """An invited teacher: the address as username, no password of their own."""
    return django_user_model.objects.create_user("grace@school.example", email="grace@school.example")


def sign_in(backend, claims):
    """The user the backend signs in for these claims, or None: a refusal raises SuspiciousOperation,
    which the library's `authenticate` turns into None."""
    with mock.patch.object(backend, "get_userinfo", return_value=claims):
        try:
            return backend.get_or_create_user("access", "id-token", {})
        except SuspiciousOperation:
            return None


def test_with_sso_off_nothing_changes(client):
    assert not django_settings.EYECLASS_SSO and BACKEND not in django_settings.AUTHENTICATION_BACKENDS
    assert "mozilla_django_oidc" not in django_settings.INSTALLED_APPS
    assert not hasattr(django_settings, "OIDC_RP_CLIENT_ID")
    page = client.get("/accounts/login/")
    assert b"Sign in with" not in page.content and b'id="sso"' not in page.content
    assert client.get("/accounts/sso/").status_code == 404
    assert client.get("/accounts/sso/callback/?code=c&state=s").status_code == 404


def test_with_sso_on_the_login_page_offers_the_school_sign_in(client, sso_on):
    page = client.get("/accounts/login/?next=/classes/")
    assert b"Sign in with Northfield School" in page.content and b'name="password"' in page.content
    start = client.get("/accounts/sso/?next=/classes/")
    assert start.status_code == 302 and start["Location"].startswith(PROVIDER["OIDC_OP_AUTHORIZATION_ENDPOINT"])
    assert "client_id=eyeclass" in start["Location"] and "state=" in start["Location"]


def test_an_invited_teacher_is_matched_by_email_whatever_its_case(sso_on, invited):
    user = sign_in(TeacherOIDCBackend(), {"email": "Grace@School.example", "email_verified": True})
    assert user == invited


def test_an_existing_teacher_is_matched_by_the_email_on_the_account(sso_on, teacher):
    teacher.email = "ada@school.example"
    teacher.save()
    assert sign_in(TeacherOIDCBackend(), {"email": "ada@school.example"}) == teacher


def test_an_unknown_email_is_refused_and_no_account_is_made(sso_on, invited, django_user_model):
    before = django_user_model.objects.count()
    assert sign_in(TeacherOIDCBackend(), {"email": "stranger@elsewhere.example"}) is None
    assert django_user_model.objects.count() == before


def test_an_unknown_email_is_refused_even_where_the_library_would_create(sso_on, django_user_model):
    sso_on.OIDC_CREATE_USER = True  # the library's own default; EyeClass's flag still says no
    assert sign_in(TeacherOIDCBackend(), {"email": "stranger@elsewhere.example"}) is None
    assert not django_user_model.objects.filter(email="stranger@elsewhere.example").exists()


def test_the_create_flag_makes_a_teacher_named_like_an_invited_one(sso_on, django_user_model):
    sso_on.EYECLASS_SSO_CREATE_USERS = sso_on.OIDC_CREATE_USER = True
    user = sign_in(TeacherOIDCBackend(), {"email": "New@School.example", "given_name": "Nia"})
    assert user.username == user.email == "new@school.example" and user.first_name == "Nia"
    assert not user.has_usable_password()


@pytest.mark.parametrize("claims", [{"email": "grace@school.example", "email_verified": False}, {"sub": "123"}])
def test_an_unverified_or_missing_email_is_refused(sso_on, invited, claims):
    assert sign_in(TeacherOIDCBackend(), claims) is None


def test_a_deactivated_teacher_is_refused_and_loses_an_open_session(sso_on, invited):
    backend = TeacherOIDCBackend()
    assert backend.get_user(invited.pk) == invited
    invited.is_active = False
    invited.save()
    assert sign_in(backend, {"email": "grace@school.example"}) is None
    assert backend.get_user(invited.pk) is None


def callback(client, claims, address="10.0.0.9"):
    """The provider sends the browser back with a code; the backend's calls to the provider are stood in for."""
    session = client.session
    session["oidc_states"] = {"st": {"nonce": "n", "code_verifier": None}}
    session.save()
    with (
        mock.patch.object(TeacherOIDCBackend, "get_token", return_value={"id_token": "i", "access_token": "a"}),
        mock.patch.object(TeacherOIDCBackend, "verify_token", return_value={"nonce": "n"}),
        mock.patch.object(TeacherOIDCBackend, "get_userinfo", return_value=claims),
    ):
        return client.get("/accounts/sso/callback/?code=c&state=st", REMOTE_ADDR=address)


def test_the_callback_logs_an_invited_teacher_in(client, sso_on, invited):
    response = callback(client, {"email": "grace@school.example"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.session["_auth_user_id"] == str(invited.pk)
    assert client.get("/").status_code == 200


def test_the_callback_sends_an_unknown_email_back_to_the_login_page_with_why(client, sso_on, invited):
    response = callback(client, {"email": "stranger@elsewhere.example"})
    assert response.status_code == 302 and "_auth_user_id" not in client.session
    page = client.get(response["Location"])
    assert b'id="sso-refused"' in page.content and b"invited" in page.content


def test_password_throttling_still_locks_with_sso_on(client, sso_on, teacher):
    for _ in range(sso_on.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "ada", "password": "wrong"}, REMOTE_ADDR="10.0.0.1")
    right = client.post("/accounts/login/", {"username": "ada", "password": "s3cret-pass-123"}, REMOTE_ADDR="10.0.0.1")
    assert right.status_code == 429 and "_auth_user_id" not in client.session


def test_refused_sign_ins_do_not_lock_the_school_sign_in_from_that_address(client, sso_on, invited):
    for _ in range(sso_on.AXES_FAILURE_LIMIT + 1):
        callback(client, {"email": "stranger@elsewhere.example"})
    response = callback(client, {"email": "grace@school.example"})
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(invited.pk)
