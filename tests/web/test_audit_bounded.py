"""The audit log stays bounded: old entries go with the retention cleanup, and a refreshing page makes
one "viewed" entry per EYECLASS_AUDIT_VIEW_MINUTES, not one per request. The clock is a fake one."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core.management import call_command
from django.utils import timezone

from eyeclass.lectures.retention import purge_expired
from eyeclass.school.models import AuditEntry
from eyeclass.school.roles import make_school_admin
from tests.web.factories import done_session

pytestmark = pytest.mark.django_db


class Clock:
    """timezone.now() for the code under test (and the entries' own `at`), moved by hand."""

    def __init__(self):
        self.now = timezone.now()

    def advance(self, **delta) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock():
    fake = Clock()
    with mock.patch("django.utils.timezone.now", side_effect=lambda: fake.now):
        yield fake


def views(teacher, session=None):
    return AuditEntry.objects.filter(action="viewed", actor=teacher, **({"target_id": session.pk} if session else {}))


def test_a_refresh_loop_makes_one_viewed_entry_per_window(client, teacher, settings, clock):
    settings.EYECLASS_AUDIT_VIEW_MINUTES = 10
    session = done_session(teacher, seconds=5)
    client.force_login(teacher)
    for _ in range(30):  # a page refreshed every 30 s for 15 minutes
        assert client.get(session.get_absolute_url()).status_code == 200
        clock.advance(seconds=30)
    stamps = list(views(teacher).order_by("at").values_list("at", flat=True))
    assert len(stamps) == 2 and stamps[1] - stamps[0] >= timedelta(minutes=10)


def test_views_of_another_session_or_by_another_teacher_are_their_own_entries(teacher, other_teacher, clock):
    first, second = done_session(teacher, seconds=5), done_session(teacher, seconds=5)
    for who, what in [(teacher, first), (teacher, second), (other_teacher, first), (teacher, first)]:
        AuditEntry.record(who, AuditEntry.Action.VIEWED, what)
    assert views(teacher, first).count() == 1 and views(teacher, second).count() == 1
    assert views(other_teacher, first).count() == 1


def test_other_actions_are_never_collapsed(teacher, clock):
    session = done_session(teacher, seconds=5)
    for _ in range(3):
        AuditEntry.record(teacher, AuditEntry.Action.EXPORTED, session, "CSV")
    assert AuditEntry.objects.filter(action="exported").count() == 3


def test_a_window_of_zero_records_every_view(teacher, settings, clock):
    settings.EYECLASS_AUDIT_VIEW_MINUTES = 0
    session = done_session(teacher, seconds=5)
    for _ in range(3):
        AuditEntry.record(teacher, AuditEntry.Action.VIEWED, session)
    assert views(teacher).count() == 3


def test_the_cleanup_deletes_entries_older_than_the_audit_days_and_says_so(teacher, settings, clock):
    settings.EYECLASS_AUDIT_DAYS = 30
    session = done_session(teacher, seconds=5)
    AuditEntry.record(teacher, AuditEntry.Action.EXPORTED, session, "CSV")
    clock.advance(days=20)
    AuditEntry.record(teacher, AuditEntry.Action.EXPORTED, session, "JSON")
    clock.advance(days=11)
    removed = purge_expired()
    assert removed == ["audit log: 1 entries older than 30 days deleted"]
    assert list(AuditEntry.objects.values_list("detail", flat=True)) == ["JSON"]
    assert purge_expired() == []  # nothing more is old enough


def test_the_heartbeat_cleanup_command_prunes_the_log_with_no_session_limit_set(teacher, settings, clock, capsys):
    settings.EYECLASS_AUDIT_DAYS, settings.EYECLASS_RETENTION_DAYS = 1, None
    AuditEntry.record(teacher, AuditEntry.Action.EXPORTED, done_session(teacher, seconds=5), "CSV")
    clock.advance(days=2)
    call_command("purge_expired")
    assert "audit log: 1 entries older than 1 days deleted" in capsys.readouterr().out
    assert not AuditEntry.objects.exists()


def test_the_audit_page_says_how_long_entries_are_kept(client, teacher, settings):
    settings.EYECLASS_AUDIT_DAYS, settings.EYECLASS_AUDIT_VIEW_MINUTES = 90, 10
    make_school_admin(teacher)
    client.force_login(teacher)
    page = client.get("/school/audit/").content.decode()
    assert "within 10 minutes are one entry; entries are kept 90 days" in page
