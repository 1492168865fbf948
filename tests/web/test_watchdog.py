from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from eyeclass.lectures import lifecycle
from eyeclass.lectures.models import Session
from tests.web.factories import make_session

pytestmark = pytest.mark.django_db


def ago(seconds):
    return timezone.now() - timedelta(seconds=seconds)


@pytest.fixture
def video(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "uploads").mkdir()
    (tmp_path / "uploads" / "a.mp4").write_bytes(b"video")
    return "uploads/a.mp4"


def test_a_silent_processing_session_is_queued_again(teacher, video, django_capture_on_commit_callbacks):
    session = make_session(teacher, status="processing", heartbeat_at=ago(600), attempts=1, video_file=video)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert lifecycle.recover_stuck(300, 3600) == [f"{session.pk}: queued again"]
    session.refresh_from_db()
    assert session.status == "queued" and len(callbacks) == 1


def test_it_gives_up_after_the_last_attempt(teacher, video):
    session = make_session(teacher, status="processing", heartbeat_at=ago(600), attempts=3, video_file=video)
    lifecycle.recover_stuck(300, 3600)
    session.refresh_from_db()
    assert session.status == "failed" and "stopped responding after 3 attempt(s)" in session.error


def test_it_fails_a_stuck_session_whose_video_is_gone(teacher):
    session = make_session(teacher, status="queued", heartbeat_at=ago(7200), video_file="uploads/gone.mp4")
    lifecycle.recover_stuck(300, 3600)
    session.refresh_from_db()
    assert session.status == "failed"


def test_it_leaves_healthy_sessions_alone(teacher, video):
    busy = make_session(teacher, status="processing", heartbeat_at=ago(10), attempts=1, video_file=video)
    waiting = make_session(teacher, title="b", status="queued", heartbeat_at=ago(600), video_file=video)
    done = make_session(teacher, title="c", status="done", heartbeat_at=ago(10_000))
    assert lifecycle.recover_stuck(300, 3600) == []
    assert [Session.objects.get(pk=x.pk).status for x in (busy, waiting, done)] == ["processing", "queued", "done"]


def test_it_closes_a_live_session_that_went_silent(teacher):
    session = make_session(teacher, status="live", source="live", started_at=ago(5000), last_frame_at=ago(4000))
    session.seconds.create(second=0, faces_present=1, readable=1, engagement=0.5, happy=1.0)
    lifecycle.recover_stuck(300, 3600)
    session.refresh_from_db()
    assert session.status == "done" and session.summary["engagement"] == 0.5 and session.seconds.count() == 1


def test_the_command_reports_what_it_did(teacher, video):
    make_session(teacher, status="processing", heartbeat_at=ago(600), attempts=5, video_file=video)
    out = StringIO()
    call_command("recover_stuck", stdout=out)
    assert "failed" in out.getvalue() and "1 stuck session(s) handled." in out.getvalue()
