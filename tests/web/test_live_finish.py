"""Closing a live session keeps everything analysed: a page left without Stop, a worker that restarted."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from eyeclass.lectures.models import Lecture, SecondStat
from eyeclass.live import state as live_state
from eyeclass.live.tasks import live_finish
from tests.web.factories import make_lecture, make_result

pytestmark = pytest.mark.django_db


def live_lecture(teacher, **fields) -> Lecture:
    return make_lecture(
        teacher, source="live", status="live", live_worker="gone@nowhere", started_at=timezone.now(), **fields
    )


def store_seconds(lecture, seconds: range) -> None:
    rows = make_result(seconds=max(seconds) + 1, tracks=1)["seconds"]
    SecondStat.objects.bulk_create([SecondStat.from_aggregate(lecture, rows[s]) for s in seconds])


class LateAnalyzer:
    """A worker-side analyzer whose state began at second 20 (its worker restarted mid-session)."""

    def finish(self):
        pass

    def close(self):
        pass

    def result(self, video):
        rows = make_result(seconds=25, tracks=1)
        rows["seconds"] = rows["seconds"][20:]
        rows["events"] = []
        rows["video"] = video

        class Result:
            def to_dict(self):
                return rows

        return Result()


def test_finishing_keeps_the_stored_seconds_the_analyzer_never_saw(teacher):
    lecture = live_lecture(teacher)
    store_seconds(lecture, range(10))
    live_state._states[lecture.pk] = live_state.LiveState(analyzer=LateAnalyzer(), last_time=24.9)
    assert live_finish(lecture.pk, "stopped") == "done"
    lecture.refresh_from_db()
    assert lecture.status == "done"
    assert list(lecture.seconds.order_by("second").values_list("second", flat=True)) == [*range(10), *range(20, 25)]


def test_frames_still_in_flight_when_the_page_left_do_not_keep_the_session_open(teacher, settings):
    left_at = time.time() - 5
    lecture = live_lecture(teacher, live_connections=0)
    Lecture.objects.filter(pk=lecture.pk).update(last_frame_at=timezone.now())  # analysed after the page left
    assert live_finish(lecture.pk, "disconnected", left_at) == "done"
    assert Lecture.objects.get(pk=lecture.pk).status == "done"


def test_a_frame_from_a_later_connection_means_the_session_was_resumed(teacher, settings):
    left_at = time.time() - 60
    lecture = live_lecture(teacher, live_connections=0)
    Lecture.objects.filter(pk=lecture.pk).update(last_frame_at=timezone.now() - timedelta(seconds=5))
    assert live_finish(lecture.pk, "disconnected", left_at) == "resumed"
    assert Lecture.objects.get(pk=lecture.pk).status == "live"


def test_a_left_live_session_offers_resume_and_stop_and_stop_saves_what_was_stored(client, teacher):
    lecture = live_lecture(teacher)
    store_seconds(lecture, range(12))
    client.force_login(teacher)
    text = client.get(lecture.get_absolute_url()).content.decode()
    assert "Live — this session is still open" in text and f'href="/live/{lecture.pk}/"' in text
    assert f'action="/live/{lecture.pk}/stop/"' in text and "progress" not in text.split('id="live-left"')[1][:800]
    response = client.post(f"/live/{lecture.pk}/stop/")
    assert response.status_code == 302
    lecture.refresh_from_db()
    assert lecture.status == "done" and lecture.seconds.count() == 12
