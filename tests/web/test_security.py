"""CSRF on every form, private uploads, and the ownership of websocket routes."""

import pytest
from django.test import Client

from eyeclass.classrooms.models import Classroom
from tests.web.factories import done_session

pytestmark = pytest.mark.django_db

FORMS = [
    "/accounts/logout/",
    "/accounts/password/",
    "/classes/new/",
    "/sessions/upload/",
    "/sessions/{session}/reprocess/",
    "/sessions/{session}/delete/",
    "/live/",
]


@pytest.mark.parametrize("url", FORMS)
def test_every_form_needs_a_csrf_token(teacher, url):
    session = done_session(teacher, seconds=3)
    client = Client(enforce_csrf_checks=True)
    client.force_login(teacher)
    response = client.post(url.format(session=session.pk), {"name": "x", "classroom": session.classroom_id})
    assert response.status_code == 403
    assert Classroom.objects.count() == 1 and session.__class__.objects.filter(pk=session.pk).exists()


def test_the_login_form_needs_a_csrf_token(teacher):
    client = Client(enforce_csrf_checks=True)
    assert client.post("/accounts/login/", {"username": "ada", "password": "s3cret-pass-123"}).status_code == 403


def test_forms_work_with_the_token(teacher):
    client = Client(enforce_csrf_checks=True)
    client.force_login(teacher)
    client.get("/")
    token = client.cookies["csrftoken"].value
    response = client.post("/classes/new/", {"name": "Chemistry", "csrfmiddlewaretoken": token})
    assert response.status_code == 302


def test_uploaded_videos_are_never_served(client, teacher, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "uploads").mkdir()
    (tmp_path / "uploads" / "abc.mp4").write_bytes(b"video")
    client.force_login(teacher)
    for url in (
        "/media/uploads/abc.mp4",
        "/uploads/abc.mp4",
        "/static/uploads/abc.mp4",
        "/static/../var/media/uploads/abc.mp4",
    ):
        assert client.get(url).status_code == 404, url


def test_media_is_outside_static_files(settings):
    from pathlib import Path

    media = Path(settings.MEDIA_ROOT).resolve()
    for folder in [settings.STATIC_ROOT, *settings.STATICFILES_DIRS]:
        assert not media.is_relative_to(Path(folder).resolve())
