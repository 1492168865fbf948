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
    from tests.web.factories import make_lecture

    lecture = make_lecture(teacher, status="processing", progress=0.42)
    client.force_login(teacher)
    page = client.get(lecture.classroom.get_absolute_url()).content.decode()
    assert "Processing 42%" in page
