"""Consent before analysis (live and upload) recorded with the session, and the audit log: who uploaded,
viewed, exported and deleted what, written by the views and the lifecycle, never holding a result."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from eyeclass.classrooms.models import Classroom
from eyeclass.lectures.models import Session
from eyeclass.lectures.retention import purge_expired
from eyeclass.ops.models import WorkerHeartbeat
from eyeclass.school.models import AuditEntry, Consent
from eyeclass.school.roles import make_school_admin
from tests.clips import write_clip
from tests.web.factories import done_session

pytestmark = pytest.mark.django_db
NOTICE = "We read faces in Room 4 for attention only; ask Ms Ada if you have questions."


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def upload(client, classroom, clip, informed: bool):
    data = {"classroom": classroom.pk, "video": SimpleUploadedFile("lesson.mp4", clip.read_bytes())}
    return client.post("/sessions/upload/", data | ({"students_informed": "on"} if informed else {}))


def test_an_upload_needs_the_confirmation_and_records_it_with_the_notice(
    client, teacher, media, tmp_path, settings, django_capture_on_commit_callbacks
):
    settings.EYECLASS_CONSENT_NOTICE = NOTICE
    classroom = Classroom.objects.create(teacher=teacher, name="Physics")
    clip = write_clip(tmp_path / "lesson.mp4", seconds=1)
    client.force_login(teacher)
    form = client.get("/sessions/upload/").content.decode()
    assert NOTICE in form and 'name="students_informed"' in form
    refused = upload(client, classroom, clip, informed=False)
    assert refused.status_code == 400 and "Confirm that the students were informed" in refused.content.decode()
    assert not Session.objects.exists() and not any(media.rglob("*.mp4"))
    with django_capture_on_commit_callbacks(execute=False):
        assert upload(client, classroom, clip, informed=True).status_code == 302
    consent = Session.objects.get().consent
    assert (consent.confirmed_by, consent.notice) == (teacher, NOTICE)
    assert timezone.now() - consent.confirmed_at < timedelta(minutes=1)
    entry = AuditEntry.objects.get(action="uploaded")
    assert entry.actor == teacher and entry.target_id == consent.session_id and "Physics" in entry.target_label


def test_a_live_session_starts_only_once_the_teacher_confirms(client, teacher, settings):
    settings.EYECLASS_CONSENT_NOTICE = NOTICE
    classroom = Classroom.objects.create(teacher=teacher, name="Physics")
    WorkerHeartbeat.beat("w1@box", ["live"], 1)
    client.force_login(teacher)
    assert NOTICE in client.get("/live/").content.decode()
    refused = client.post("/live/", {"classroom": classroom.pk, "title": "Tuesday"})
    assert refused.status_code == 200 and "Confirm that the students were informed" in refused.content.decode()
    assert not Session.objects.exists()  # no session, so no socket and no camera frame analysed
    client.post("/live/", {"classroom": classroom.pk, "title": "Tuesday", "students_informed": "on"})
    session = Session.objects.get()
    assert session.consent.confirmed_by == teacher
    assert AuditEntry.objects.get(action="started_live").target_id == session.pk


def test_the_session_page_says_who_confirmed_and_when(client, teacher):
    session = done_session(teacher, seconds=5)
    Consent.record(session, teacher)
    client.force_login(teacher)
    page = client.get(session.get_absolute_url()).content.decode()
    assert 'id="consent"' in page and "Students informed: confirmed by ada" in page


def test_views_exports_and_deletions_are_logged_without_a_result(client, teacher, settings):
    session = done_session(teacher, seconds=30)
    client.force_login(teacher)
    client.get(session.get_absolute_url())
    for url in ("export.csv", "export.json", "students.csv"):
        assert client.get(f"{session.get_absolute_url()}{url}").status_code == 200
    assert client.get(f"/api/sessions/{session.pk}/").status_code == 200
    client.post(f"/sessions/{session.pk}/delete/")
    actions = list(AuditEntry.objects.order_by("at", "id").values_list("action", "detail"))
    assert actions == [
        ("viewed", ""),
        ("exported", "CSV"),
        ("exported", "JSON"),
        ("exported", "students CSV"),
        ("exported", "API"),
        ("deleted", ""),
    ]
    engagement = f"{session.figures['engagement']:.2f}"[1:]  # e.g. ".80", however it might be printed
    for entry in AuditEntry.objects.all():
        assert entry.actor == teacher and entry.target_kind == "session" and entry.target_id == session.pk
        assert engagement not in entry.target_label + entry.detail
        assert entry.target_label == "“Week 1” (class “Physics”, ada)"


def test_a_class_deletion_and_the_retention_cleanup_are_logged(client, teacher, settings):
    first = done_session(teacher, seconds=5)
    client.force_login(teacher)
    client.post(f"/classes/{first.classroom_id}/delete/")
    assert list(AuditEntry.objects.values_list("action", "target_kind", "detail").order_by("id")) == [
        ("deleted", "session", "with its class"),
        ("deleted", "class", ""),
    ]
    settings.EYECLASS_RETENTION_DAYS = 30
    old = done_session(teacher, seconds=5)
    Session.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=31))
    purge_expired()
    entry = AuditEntry.objects.get(target_id=old.pk)
    assert (entry.actor, entry.actor_name, entry.detail) == (None, "system", "older than 30 days")


def test_the_school_administrator_reads_the_log_and_a_teacher_cannot(client, teacher, django_user_model):
    session = done_session(teacher, seconds=5)
    AuditEntry.record(teacher, AuditEntry.Action.VIEWED, session)
    head = django_user_model.objects.create_user(username="head", password="x-pass-1234")
    make_school_admin(head)
    client.force_login(head)
    page = client.get("/school/audit/").content.decode()
    assert "ada" in page and "viewed" in page and "“Week 1”" in page
    client.force_login(teacher)
    assert client.get("/school/audit/").status_code == 403


def test_the_help_page_shows_the_notice_teachers_confirm(client, teacher, settings):
    settings.EYECLASS_CONSENT_NOTICE = NOTICE
    client.force_login(teacher)
    assert NOTICE in client.get("/help/").content.decode()
