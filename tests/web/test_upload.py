import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from eyeclass.classrooms.models import Classroom
from eyeclass.lectures.models import Session
from tests.clips import write_clip

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def classroom(teacher):
    return Classroom.objects.create(teacher=teacher, name="Physics")


def stored_files(media):
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


def post(client, classroom, name, content):
    data = {
        "classroom": classroom.pk,
        "title": "",
        "students_informed": "on",
        "video": SimpleUploadedFile(name, content),
    }
    return client.post("/sessions/upload/", data, HTTP_ACCEPT="application/json")


def test_it_accepts_a_video_and_queues_it(
    client, teacher, classroom, media, tmp_path, django_capture_on_commit_callbacks
):
    clip = write_clip(tmp_path / "session.mp4", seconds=1)
    client.force_login(teacher)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = post(client, classroom, "session.mp4", clip.read_bytes())
    assert response.status_code == 201, response.content
    session = Session.objects.get()
    assert response.json() == session.status_dict()
    assert session.status == "queued" and session.title == "session.mp4"
    assert (session.width, session.height, session.fps) == (480, 360, 10.0)
    assert session.video_path.read_bytes() == clip.read_bytes()
    assert session.video_path.parent == media / "uploads"
    assert len(callbacks) == 1  # processing is sent once the upload is committed


def test_it_redirects_browsers_without_javascript(
    client, teacher, classroom, media, tmp_path, django_capture_on_commit_callbacks
):
    clip = write_clip(tmp_path / "session.mp4", seconds=1)
    client.force_login(teacher)
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(
            "/sessions/upload/",
            {
                "classroom": classroom.pk,
                "title": "Week 1",
                "students_informed": "on",
                "video": SimpleUploadedFile("a.mp4", clip.read_bytes()),
            },
        )
    assert (
        response.status_code == 302 and response["Location"] == Session.objects.get(title="Week 1").get_absolute_url()
    )


@pytest.mark.parametrize(
    "name, content, reason",
    [
        ("notes.mp4", b"these are my session notes, not a video\n" * 50, "not a readable video"),
        ("empty.mp4", b"", "empty"),
        ("random.mov", bytes(range(256)) * 400, "not a readable video"),
    ],
)
def test_it_refuses_files_that_are_not_videos(client, teacher, classroom, media, name, content, reason):
    client.force_login(teacher)
    response = post(client, classroom, name, content)
    assert response.status_code == 400
    assert reason in " ".join(response.json()["errors"]["video"])
    assert not Session.objects.exists()
    assert stored_files(media) == []


def test_it_refuses_a_truncated_video(client, teacher, classroom, media, tmp_path):
    clip = write_clip(tmp_path / "session.mp4", seconds=2).read_bytes()
    client.force_login(teacher)
    response = post(client, classroom, "cut.mp4", clip[: len(clip) // 3])
    assert response.status_code == 400
    assert not Session.objects.exists() and stored_files(media) == []


def test_it_refuses_an_oversized_upload(client, teacher, classroom, media, tmp_path, settings):
    settings.UPLOAD_MAX_BYTES = 10_000
    clip = write_clip(tmp_path / "session.mp4", seconds=2)
    assert clip.stat().st_size > 10_000
    client.force_login(teacher)
    response = post(client, classroom, "big.mp4", clip.read_bytes())
    assert response.status_code == 413
    assert "larger than" in response.json()["errors"]["video"][0]
    assert not Session.objects.exists() and stored_files(media) == []


def test_it_refuses_another_teachers_class(client, teacher, other_teacher, media, tmp_path):
    theirs = Classroom.objects.create(teacher=other_teacher, name="Theirs")
    clip = write_clip(tmp_path / "session.mp4", seconds=1)
    client.force_login(teacher)
    response = post(client, theirs, "session.mp4", clip.read_bytes())
    assert response.status_code == 400 and "classroom" in response.json()["errors"]
    assert not Session.objects.exists()


def test_a_bad_upload_leaves_other_sessions_alone(client, teacher, classroom, media):
    existing = Session.objects.create(classroom=classroom, title="Old", status="done")
    client.force_login(teacher)
    post(client, classroom, "junk.mp4", b"junk" * 100)
    existing.refresh_from_db()
    assert list(Session.objects.all()) == [existing] and existing.status == "done"


def test_the_upload_page_needs_a_class_first(client, teacher):
    client.force_login(teacher)
    assert "Create a class first" in client.get("/sessions/upload/").content.decode()


@pytest.mark.parametrize("gpu, queue", [(True, "gpu"), (False, "celery")])
def test_processing_goes_to_the_gpu_queue_when_one_is_configured(
    client, teacher, classroom, media, tmp_path, settings, monkeypatch, django_capture_on_commit_callbacks, gpu, queue
):
    from eyeclass.lectures.tasks import process_session

    settings.EYECLASS_GPU_QUEUE = gpu
    sent = []
    monkeypatch.setattr(process_session, "apply_async", lambda **kw: sent.append(kw) or type("R", (), {"id": "t-1"})())
    client.force_login(teacher)
    with django_capture_on_commit_callbacks(execute=True):
        post(client, classroom, "session.mp4", write_clip(tmp_path / "session.mp4", seconds=1).read_bytes())
    session = Session.objects.get()
    assert [(kw["args"], kw["queue"]) for kw in sent] == [([session.pk], queue)] and session.task_id == "t-1"
