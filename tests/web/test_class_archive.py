"""A class exported as one zip, and exported then deleted in one action (the deletion only once the zip
is whole)."""

import io
import zipfile

import pytest

from eyeclass.classrooms import archive
from eyeclass.classrooms.models import Classroom
from eyeclass.lectures.models import Session
from eyeclass.school.models import AuditEntry
from tests.web.factories import done_session, make_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def classroom(teacher, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    first = done_session(teacher, seconds=20)
    first.keep_video, first.video_file = True, Session.new_video_file("lesson.mp4")
    first.save()
    first.video_path.parent.mkdir(parents=True, exist_ok=True)
    first.video_path.write_bytes(b"kept recording")
    make_session(teacher, title="Broken", classroom=first.classroom, status="failed")
    return first.classroom


def unzip(response) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def test_export_then_delete_gives_every_export_and_leaves_nothing(client, teacher, classroom):
    done = classroom.sessions.get(status="done")
    video = done.video_path
    client.force_login(teacher)
    expected_csv = b"".join(client.get(f"/sessions/{done.pk}/export.csv").streaming_content).decode()
    AuditEntry.objects.all().delete()

    response = client.post(f"/classes/{classroom.pk}/export-delete/")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == 'attachment; filename="physics.zip"'
    zipped = unzip(response)
    folder = f"{done.created_at:%Y-%m-%d}-{done.pk}-week-1"
    assert set(zipped.namelist()) == {
        "index.csv",
        f"{folder}/seconds.csv",
        f"{folder}/students.csv",
        f"{folder}/session.json",
    }
    assert zipped.read(f"{folder}/seconds.csv").decode() == expected_csv
    index = zipped.read("index.csv").decode().splitlines()
    assert len(index) == 3 and any(",Broken,upload,failed," in line for line in index)

    assert not Classroom.objects.filter(pk=classroom.pk).exists() and not Session.objects.exists()
    assert not video.exists()
    assert sorted(AuditEntry.objects.values_list("action", "target_kind")) == [
        ("deleted", "class"),
        ("deleted", "session"),
        ("deleted", "session"),
        ("exported", "session"),
    ]


def test_a_failure_while_zipping_deletes_nothing(client, teacher, classroom, monkeypatch):
    def broken(session):
        yield "second,engagement\n"
        raise OSError("disk full")

    monkeypatch.setattr(archive, "seconds_csv", broken)
    client.force_login(teacher)
    with pytest.raises(OSError, match="disk full"):
        client.post(f"/classes/{classroom.pk}/export-delete/")
    assert Classroom.objects.filter(pk=classroom.pk).exists() and classroom.sessions.count() == 2
    assert not AuditEntry.objects.filter(action="deleted").exists()


def test_the_export_alone_keeps_the_class(client, teacher, classroom):
    client.force_login(teacher)
    response = client.get(f"/classes/{classroom.pk}/export.zip")
    assert "index.csv" in unzip(response).namelist()
    assert classroom.sessions.count() == 2
