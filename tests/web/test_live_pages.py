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
