"""Teacher A can neither see nor change teacher B's data through any URL: always a 404."""

import pytest

from eyeclass.lectures.models import Lecture
from tests.web.factories import done_lecture

pytestmark = pytest.mark.django_db

GET_URLS = [
    "/classes/{classroom}/",
    "/sessions/{lecture}/",
    "/sessions/{lecture}/status/",
    "/sessions/{lecture}/export.csv",
    "/sessions/{lecture}/export.json",
    "/api/classes/{classroom}/",
    "/api/sessions/{lecture}/",
]
POST_URLS = ["/sessions/{lecture}/reprocess/", "/sessions/{lecture}/delete/"]


@pytest.fixture
def theirs(other_teacher):
    lecture = done_lecture(other_teacher, seconds=5)
    return {"lecture": lecture.pk, "classroom": lecture.classroom_id}


@pytest.mark.parametrize("url", GET_URLS)
def test_it_hides_other_teachers_objects(client, teacher, theirs, url):
    client.force_login(teacher)
    assert client.get(url.format(**theirs)).status_code == 404


@pytest.mark.parametrize("url", POST_URLS)
def test_it_refuses_changes_to_other_teachers_objects(client, teacher, theirs, url):
    client.force_login(teacher)
    assert client.post(url.format(**theirs)).status_code == 404
    assert Lecture.objects.get(pk=theirs["lecture"]).status == "done"


@pytest.mark.parametrize("url", GET_URLS[:5] + ["/", "/sessions/upload/"])
def test_pages_need_a_login(client, theirs, url):
    response = client.get(url.format(**theirs))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("url", GET_URLS)
def test_the_owner_can_see_them(client, other_teacher, theirs, url):
    client.force_login(other_teacher)
    assert client.get(url.format(**theirs)).status_code == 200


def test_the_owner_can_delete_a_session(client, other_teacher, theirs, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    lecture = Lecture.objects.get(pk=theirs["lecture"])
    lecture.video_file = "uploads/x.mp4"
    lecture.save()
    lecture.video_path.parent.mkdir(parents=True)
    lecture.video_path.write_bytes(b"video")
    client.force_login(other_teacher)
    assert client.post(f"/sessions/{lecture.pk}/delete/").status_code == 302
    assert not Lecture.objects.filter(pk=lecture.pk).exists() and not lecture.video_path.exists()
    assert lecture.tracks.count() == 0


def test_reprocessing_needs_the_video(client, other_teacher, theirs):
    client.force_login(other_teacher)
    response = client.post(f"/sessions/{theirs['lecture']}/reprocess/", follow=True)
    assert "upload it again" in response.content.decode()
    assert Lecture.objects.get(pk=theirs["lecture"]).status == "done"
