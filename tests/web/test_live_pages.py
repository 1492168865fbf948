import pytest
from django.utils import timezone

from eyeclass.classrooms.models import Classroom
from eyeclass.lectures.models import Session
from eyeclass.live.views import pick_worker
from eyeclass.ops.models import WorkerHeartbeat
from tests.web.factories import make_session

pytestmark = pytest.mark.django_db


def test_it_starts_a_live_session_on_a_live_worker(client, teacher):
    classroom = Classroom.objects.create(teacher=teacher, name="Physics")
    WorkerHeartbeat.beat("w1@box", ["celery"], 1)
    client.force_login(teacher)
    response = client.post("/live/", {"classroom": classroom.pk, "title": "Tuesday", "students_informed": "on"})
    session = Session.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/live/{session.pk}/"
    assert (session.status, session.source, session.live_worker, session.title) == ("live", "live", "w1@box", "Tuesday")
    page = client.get(response["Location"]).content.decode()
    assert f'data-socket="/ws/live/{session.pk}/"' in page and "live.js" in page


def test_it_explains_when_no_worker_is_running(client, teacher):
    classroom = Classroom.objects.create(teacher=teacher, name="Physics")
    client.force_login(teacher)
    response = client.post("/live/", {"classroom": classroom.pk, "students_informed": "on"}, follow=True)
    assert "No recognition worker is running" in response.content.decode()
    assert not Session.objects.exists()


def test_it_spreads_sessions_over_workers(teacher, settings):
    WorkerHeartbeat.beat("a@box", ["celery"], 1)
    WorkerHeartbeat.beat("b@box", ["celery"], 2)
    make_session(teacher, status="live", live_worker="a@box", started_at=timezone.now())
    assert pick_worker() == "b@box"
    settings.EYECLASS_GPU_QUEUE = True
    WorkerHeartbeat.beat("gpu@box", ["gpu"], 3)
    make_session(teacher, title="x", status="live", live_worker="gpu@box", started_at=timezone.now())
    assert pick_worker() == "gpu@box"  # GPU workers first, even when busier


def test_a_finished_live_session_opens_as_a_normal_session(client, teacher):
    session = make_session(teacher, status="done", source="live")
    client.force_login(teacher)
    assert client.get(f"/live/{session.pk}/")["Location"] == f"/sessions/{session.pk}/"


def test_another_teachers_live_session_is_hidden(client, teacher, other_teacher):
    session = make_session(other_teacher, status="live", started_at=timezone.now())
    client.force_login(teacher)
    assert client.get(f"/live/{session.pk}/").status_code == 404


def test_a_saved_live_session_shows_its_frame_counts(client, teacher):
    from tests.web.factories import make_result

    session = make_session(
        teacher,
        status="live",
        source="live",
        frames_received=50,
        frames_analysed=40,
        frames_dropped=7,
        frames_rejected=3,
    )
    session.store_results(make_result(seconds=5))
    client.force_login(teacher)
    page = client.get(f"/sessions/{session.pk}/").content.decode()
    assert "50 frames received, 40 analysed" in page and "<strong>7</strong> dropped" in page and "3 rejected" in page


def recorded_live_session(teacher):
    """A live session left after seconds 0-2, resumed at second 8: its stored rows have a pause."""
    from eyeclass.lectures.models import SecondStat
    from inference.records import SecondAggregate

    session = make_session(teacher, status="live", source="live", live_worker="w@box", started_at=timezone.now())
    calm = {"neutral": 0.75, "uncertain": 0.25}
    rows = [
        SecondAggregate(
            second=s,
            faces_present=1.0,
            readable=1.0,
            facing_fraction=1.0,
            perclos=0.0,
            blinks=0,
            engagement=0.1 * s,
            emotion_mix=calm,
        )
        for s in (0, 1, 2, 8, 9)
    ]
    SecondStat.objects.bulk_create([SecondStat.from_aggregate(session, row) for row in rows])
    return session


def page_data(page: str, name: str):
    import json
    import re

    return json.loads(re.search(rf'<script id="{name}" type="application/json">(.*?)</script>', page, re.S).group(1))


def test_a_reopened_live_page_gets_the_seconds_already_recorded(client, teacher, settings):
    session = recorded_live_session(teacher)
    client.force_login(teacher)
    recorded = page_data(client.get(f"/live/{session.pk}/").content.decode(), "recorded-data")
    assert [(row["second"], row["engagement"]) for row in recorded] == [
        (0, 0.0),
        (1, 0.1),
        (2, 0.2),
        (8, 0.8),
        (9, 0.9),
    ]
    assert recorded[0]["emotion_mix"]["neutral"] == 0.75 and recorded[0]["emotion_mix"]["angry"] is None
    settings.EYECLASS_EMOTIONS = False  # no emotion reaches the page
    recorded = page_data(client.get(f"/live/{session.pk}/").content.decode(), "recorded-data")
    assert [sorted(row) for row in recorded] == [["engagement", "second"]] * 5


def test_a_new_live_page_starts_with_no_seconds(client, teacher):
    session = make_session(teacher, status="live", source="live", live_worker="w@box", started_at=timezone.now())
    client.force_login(teacher)
    assert page_data(client.get(f"/live/{session.pk}/").content.decode(), "recorded-data") == []


def test_the_slow_live_rate_says_it_merges_back_to_back_expressions(client, teacher):
    session = make_session(teacher, status="live", source="live", live_worker="w@box", started_at=timezone.now())
    client.force_login(teacher)
    live = client.get(f"/live/{session.pk}/").content.decode()
    assert '<option value="2">2 fps (slow link)</option>' in live and "merge into one event" in live
    assert '<option value="5" selected>' in live  # the rate whose events match an upload's
    help_page = " ".join(client.get("/help/").content.decode().split())
    assert 'id="live-rate"' in help_page and "two expressions straight after each other become one event" in help_page
