"""Retention with a fake clock: expired sessions go with their rows and files, old kept videos go while
their session stays, the cleanup logs what it removed and the session page says when it will happen."""

import logging
import os
import subprocess
import sys
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from eyeclass.lectures.models import ExpressionEvent, SecondStat, Session, Student
from eyeclass.lectures.retention import purge_expired
from tests.conftest import REPO
from tests.web.factories import done_session

pytestmark = pytest.mark.django_db


def with_video(session: Session, keep: bool = True) -> Session:
    session.video_file, session.keep_video = Session.new_video_file("clip.mp4"), keep
    session.video_path.parent.mkdir(parents=True, exist_ok=True)
    session.video_path.write_bytes(b"not really a video")
    session.save(update_fields=["video_file", "keep_video"])
    return session


def test_nothing_is_deleted_when_no_limit_is_set(teacher):
    session = with_video(done_session(teacher, seconds=5))
    assert purge_expired(now=timezone.now() + timedelta(days=3650)) == []
    assert Session.objects.filter(pk=session.pk).exists() and session.video_path.exists()


def test_an_expired_session_goes_with_its_rows_and_video_and_the_log_says_what(teacher, settings, caplog):
    settings.EYECLASS_RETENTION_DAYS = 30
    old = with_video(done_session(teacher, seconds=10, tracks=2))
    recent = done_session(teacher, seconds=5, tracks=1)
    Session.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=40))
    busy = done_session(teacher, seconds=3)
    Session.objects.filter(pk=busy.pk).update(status="processing", created_at=timezone.now() - timedelta(days=40))
    with caplog.at_level(logging.INFO, logger="eyeclass.lectures.retention"):
        removed = purge_expired(now=timezone.now())
    assert len(removed) == 1 and removed[0].startswith(f"session {old.pk} of class {old.classroom_id}")
    assert "10 second rows, 2 student rows, 2 events and its kept video (older than 30 days)" in removed[0]
    assert f"retention: session {old.pk} of class" in caplog.text
    assert not Session.objects.filter(pk=old.pk).exists() and not old.video_path.exists()
    for model in (SecondStat, Student, ExpressionEvent):
        assert not model.objects.filter(session_id=old.pk).exists()
    assert Session.objects.filter(pk=recent.pk).exists() and recent.seconds.count() == 5
    assert Session.objects.filter(pk=busy.pk).exists()  # being analysed: it goes once saved


def test_the_fake_clock_decides_what_has_expired(teacher, settings):
    settings.EYECLASS_RETENTION_DAYS = 7
    session = done_session(teacher, seconds=5)
    assert purge_expired(now=timezone.now() + timedelta(days=6)) == []
    assert len(purge_expired(now=timezone.now() + timedelta(days=8))) == 1
    assert not Session.objects.filter(pk=session.pk).exists()


def test_an_old_kept_video_goes_while_its_session_stays(teacher, settings, caplog):
    settings.EYECLASS_KEEP_VIDEO_DAYS = 14
    session = with_video(done_session(teacher, seconds=8))
    path = session.video_path
    with caplog.at_level(logging.INFO, logger="eyeclass.lectures.retention"):
        assert purge_expired(now=timezone.now() + timedelta(days=10)) == []
        removed = purge_expired(now=timezone.now() + timedelta(days=15))
    assert removed == [f"session {session.pk}: kept video deleted (older than 14 days), the session stays"]
    assert removed[0] in caplog.text
    session.refresh_from_db()
    assert not path.exists() and session.video_file == "" and session.seconds.count() == 8


def test_the_session_page_says_when_it_will_be_deleted(client, teacher, settings):
    settings.EYECLASS_RETENTION_DAYS, settings.EYECLASS_KEEP_VIDEO_DAYS = 30, 7
    session = with_video(done_session(teacher, seconds=5))
    client.force_login(teacher)
    page = client.get(session.get_absolute_url()).content.decode()
    deleted_on = (session.created_at + timedelta(days=30)).strftime("%-d %b %Y")
    video_on = (session.created_at + timedelta(days=7)).strftime("%-d %b %Y")
    assert f"This session will be deleted on {deleted_on} (this school keeps sessions 30 days)." in page
    assert f"Its kept video will be deleted on {video_on}." in page
    assert client.get("/healthz").json()["deployment"]["retention_days"] == 30
    assert "Sessions are deleted 30 days after they" in client.get("/help/").content.decode()


def test_without_a_limit_the_session_page_promises_nothing(client, teacher):
    session = done_session(teacher, seconds=5)
    client.force_login(teacher)
    assert 'id="retention"' not in client.get(session.get_absolute_url()).content.decode()


def test_the_management_command_purges_and_reports(teacher, settings, capsys):
    settings.EYECLASS_RETENTION_DAYS = 1
    session = done_session(teacher, seconds=3)
    Session.objects.filter(pk=session.pk).update(created_at=timezone.now() - timedelta(days=2))
    call_command("purge_expired")
    out = capsys.readouterr().out
    assert f"session {session.pk} of class" in out and "1 deletion(s)." in out
    assert not Session.objects.filter(pk=session.pk).exists()


def test_a_retention_that_is_not_a_positive_number_stops_the_start_with_its_name():
    for value, expected in (("a year", "expected a number"), ("0", "expected a number of days above 0")):
        env = {**os.environ, "EYECLASS_RETENTION_DAYS": value}
        result = subprocess.run(
            [sys.executable, "manage.py", "check"], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
        )
        assert result.returncode != 0 and f"EYECLASS_RETENTION_DAYS={value!r}" in result.stderr
        assert expected in result.stderr
