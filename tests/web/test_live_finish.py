"""Closing a live session keeps everything analysed: a page left without Stop, a worker that restarted."""

import dataclasses
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from eyeclass.lectures.models import SecondStat, Session
from eyeclass.live import state as live_state
from eyeclass.live.tasks import live_finish
from tests.web.factories import make_result, make_session

pytestmark = pytest.mark.django_db


def live_session(teacher, **fields) -> Session:
    return make_session(
        teacher, source="live", status="live", live_worker="gone@nowhere", started_at=timezone.now(), **fields
    )


def store_seconds(session, seconds: range) -> None:
    rows = make_result(seconds=max(seconds) + 1, tracks=1).seconds
    SecondStat.objects.bulk_create([SecondStat.from_aggregate(session, rows[s]) for s in seconds])


class LateAnalyzer:
    """A worker-side analyzer whose state began at second 20 (its worker restarted mid-session)."""

    def finish(self):
        pass

    def close(self):
        pass

    def result(self, video):
        result = make_result(seconds=25, tracks=1)
        return dataclasses.replace(result, seconds=result.seconds[20:], events=[], video=video)


def test_finishing_keeps_the_stored_seconds_the_analyzer_never_saw(teacher):
    session = live_session(teacher)
    store_seconds(session, range(10))
    live_state._states[session.pk] = live_state.LiveState(analyzer=LateAnalyzer(), last_time=24.9)
    assert live_finish(session.pk, "stopped") == "done"
    session.refresh_from_db()
    assert session.status == "done"
    assert list(session.seconds.order_by("second").values_list("second", flat=True)) == [*range(10), *range(20, 25)]


def test_frames_still_in_flight_when_the_page_left_do_not_keep_the_session_open(teacher, settings):
    left_at = time.time() - 5
    session = live_session(teacher, live_connections=0)
    Session.objects.filter(pk=session.pk).update(last_frame_at=timezone.now())  # analysed after the page left
    assert live_finish(session.pk, "disconnected", left_at) == "done"
    assert Session.objects.get(pk=session.pk).status == "done"


def test_a_frame_from_a_later_connection_means_the_session_was_resumed(teacher, settings):
    left_at = time.time() - 60
    session = live_session(teacher, live_connections=0)
    Session.objects.filter(pk=session.pk).update(last_frame_at=timezone.now() - timedelta(seconds=5))
    assert live_finish(session.pk, "disconnected", left_at) == "resumed"
    assert Session.objects.get(pk=session.pk).status == "live"


def test_a_left_live_session_offers_resume_and_stop_and_stop_saves_what_was_stored(client, teacher):
    session = live_session(teacher)
    store_seconds(session, range(12))
    client.force_login(teacher)
    text = client.get(session.get_absolute_url()).content.decode()
    assert "Live — this session is still open" in text and f'href="/live/{session.pk}/"' in text
    assert f'action="/live/{session.pk}/stop/"' in text and "progress" not in text.split('id="live-left"')[1][:800]
    response = client.post(f"/live/{session.pk}/stop/")
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.status == "done" and session.seconds.count() == 12
