import pytest

from eyeclass.classrooms.models import Classroom

pytestmark = pytest.mark.django_db


def test_it_creates_a_class(client, teacher):
    client.force_login(teacher)
    response = client.post("/classes/new/", {"name": "Physics 101"})
    classroom = Classroom.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/classes/{classroom.pk}/"
    assert classroom.teacher == teacher


def test_it_rejects_a_duplicate_name(client, teacher):
    Classroom.objects.create(teacher=teacher, name="Physics 101")
    client.force_login(teacher)
    response = client.post("/classes/new/", {"name": "physics 101"})
    assert response.status_code == 400
    assert b"already have a class with this name" in response.content
    assert Classroom.objects.count() == 1


def test_two_teachers_may_use_the_same_name(client, teacher, other_teacher):
    Classroom.objects.create(teacher=other_teacher, name="Physics 101")
    client.force_login(teacher)
    assert client.post("/classes/new/", {"name": "Physics 101"}).status_code == 302


def test_home_lists_only_my_classes(client, teacher, other_teacher):
    Classroom.objects.create(teacher=teacher, name="Mine")
    Classroom.objects.create(teacher=other_teacher, name="Theirs")
    client.force_login(teacher)
    page = client.get("/").content.decode()
    assert "Mine" in page and "Theirs" not in page


def test_home_has_a_clear_empty_state(client, teacher):
    client.force_login(teacher)
    page = client.get("/").content.decode()
    assert "No classes yet" in page


def test_class_page_shows_an_empty_trend(client, teacher):
    classroom = Classroom.objects.create(teacher=teacher, name="Mine")
    client.force_login(teacher)
    page = client.get(classroom.get_absolute_url()).content.decode()
    assert "Trends appear here once a session" in page


def test_the_session_list_shows_processing_progress_in_percent(client, teacher):
    from tests.web.factories import make_session

    session = make_session(teacher, status="processing", progress=0.42)
    client.force_login(teacher)
    page = client.get(session.classroom.get_absolute_url()).content.decode()
    assert "Processing 42%" in page


@pytest.mark.parametrize("what", ["session", "class"])
def test_deleting_a_session_or_its_class_revokes_its_queued_chunks_and_removes_its_video(
    client, teacher, settings, tmp_path, monkeypatch, what
):
    from eyeclass.celery import app as celery_app
    from eyeclass.lectures.models import Chunk, Session
    from tests.web.factories import make_session

    settings.MEDIA_ROOT = tmp_path
    session = make_session(teacher, status="processing", video_file="uploads/long.mp4")
    session.video_path.parent.mkdir(parents=True)
    session.video_path.write_bytes(b"video")
    for index in range(3):
        Chunk.objects.create(session=session, index=index, plan={"start": 0, "end": 1}, task_id=f"chunk-{index}")
    revoked = []
    monkeypatch.setattr(celery_app.control, "revoke", lambda ids, **kw: revoked.extend(ids))
    client.force_login(teacher)
    url = f"/sessions/{session.pk}/delete/" if what == "session" else f"/classes/{session.classroom_id}/delete/"
    assert client.post(url).status_code == 302
    assert sorted(revoked) == ["chunk-0", "chunk-1", "chunk-2"]
    assert not Session.objects.exists() and not Chunk.objects.exists() and not session.video_path.exists()
