"""Malformed input, each with a clear error and nothing left behind."""

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile

from eyeclass.classrooms.models import Classroom
from eyeclass.lectures.models import Session
from eyeclass.lectures.tasks import process_session
from tests.clips import write_clip
from tests.malformed import corpus
from tests.web.factories import make_session

CORPUS = corpus()
UNREADABLE, TOO_SHORT = "not a readable video", "at least 1 s of video is needed"
EXPECTED_REASON = {  # the reason each case must get (a substring of it)
    "zero bytes": "The submitted file is empty",
    "truncated mp4 (a third)": UNREADABLE,
    "truncated mp4 (first KB)": UNREADABLE,
    "mp4 without its index": UNREADABLE,
    "text file named .mp4": UNREADABLE,
    "html page named .mp4": UNREADABLE,
    "pdf named .mov": UNREADABLE,
    "zip archive named .mp4": UNREADABLE,
    "random bytes": UNREADABLE,
    "a PNG image named .mp4": "a single picture",
    "a JPEG image (a single picture)": "a single picture",
    "audio only (wav)": "audio file (WAV) with no video picture",
    "huge declared dimensions": "20000x20000",
    "zero fps": TOO_SHORT,
    "a single frame": "a single picture",
    "half a second of video": "only 5 frames",
    "y4m with a cut-off first frame": "first frame of this video cannot be decoded",
    "extremely long duration metadata": "at most 6 hours",
    "ftyp box only": UNREADABLE,
    "mp4 header then zeros": UNREADABLE,
    "gzip bytes": UNREADABLE,
    "avi declaring 100000 frames, holding 20": "declares 100000 frames but holds only 20",
    "avi at 0.001 fps": "declares 0.001 frames per second",
}


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def upload(client, teacher, name, content):
    classroom, _ = Classroom.objects.get_or_create(teacher=teacher, name="Physics")
    client.force_login(teacher)
    data = {"classroom": classroom.pk, "students_informed": "on", "video": SimpleUploadedFile(name, content)}
    return client.post("/sessions/upload/", data, HTTP_ACCEPT="application/json")


def test_the_corpus_is_large_enough_and_each_case_has_its_reason():
    assert len(CORPUS) >= 20 and set(EXPECTED_REASON) == set(CORPUS)


@pytest.mark.django_db
@pytest.mark.parametrize("case", list(CORPUS))
def test_each_malformed_upload_is_refused_with_a_reason(client, teacher, media, case):
    name, content = CORPUS[case]
    response = upload(client, teacher, name, content)
    assert response.status_code == 400, case
    [reason] = response.json()["errors"]["video"]
    assert EXPECTED_REASON[case] in reason and str(media) not in reason
    assert not Session.objects.exists()
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


@pytest.mark.django_db
def test_a_file_far_short_of_its_declared_frames_is_refused_by_seeking_without_counting(
    client, teacher, media, monkeypatch
):
    monkeypatch.setattr("eyeclass.lectures.uploads.COUNT_BUDGET_S", 0.0)  # counting frames would settle nothing
    name, content = CORPUS["avi declaring 100000 frames, holding 20"]
    response = upload(client, teacher, name, content + bytes(8 * 1024 * 1024))  # and a long tail of nothing
    assert response.status_code == 400
    assert "declares 100000 frames but holds only 20" in response.json()["errors"]["video"][0]
    assert not Session.objects.exists()


@pytest.mark.django_db
def test_the_extension_does_not_matter_for_a_real_video(
    client, teacher, media, tmp_path, django_capture_on_commit_callbacks
):
    clip = write_clip(tmp_path / "x.mp4", seconds=1).read_bytes()
    with django_capture_on_commit_callbacks(execute=False):
        response = upload(client, teacher, "session.txt", clip)
    assert response.status_code == 201


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/classes/", "/api/sessions/1/"])
def test_the_api_refuses_writes_with_a_clear_status(client, teacher, url):
    client.force_login(teacher)
    response = client.post(url, data="{not json", content_type="application/json")
    assert response.status_code == 405 and response["Allow"] == "GET"


@pytest.mark.django_db
def test_an_export_of_an_unfinished_session_is_empty_but_valid(client, teacher):
    session = make_session(teacher, status="processing")
    client.force_login(teacher)
    body = client.get(f"/sessions/{session.pk}/export.json").json()
    assert body["session"]["status"] == "processing" and body["seconds"] == []
    csv = b"".join(client.get(f"/sessions/{session.pk}/export.csv").streaming_content).decode()
    assert csv.strip().startswith("second,") and len(csv.strip().splitlines()) == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not django_settings.EYECLASS_MODEL_PATH.is_file(), reason="no trained eye CNN yet")
def test_corrupt_frames_mid_stream_end_in_a_result_or_a_reason_never_partial(teacher, tmp_path):
    session = make_session(teacher, video_file=Session.new_video_file("c.mp4"), status="queued")
    session.video_path.parent.mkdir(parents=True, exist_ok=True)
    data = bytearray(write_clip(tmp_path / "c.mp4", seconds=4).read_bytes())
    middle = len(data) // 2
    data[middle : middle + 3000] = bytes(3000)  # wipe frames in the middle
    session.video_path.write_bytes(bytes(data))
    outcome = process_session.apply(args=[session.pk]).get()
    session.refresh_from_db()
    assert outcome == session.status
    if session.status == "failed":
        assert session.error and session.seconds.count() == 0 and session.tracks.count() == 0
    else:
        assert session.status == "done" and 1 <= session.seconds.count() <= 4


WORKER_CASES = [
    "truncated mp4 (a third)",
    "random bytes",
    "audio only (wav)",
    "huge declared dimensions",
    "extremely long duration metadata",
    "y4m with a cut-off first frame",
    "mp4 header then zeros",
]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not django_settings.EYECLASS_MODEL_PATH.is_file(), reason="no trained eye CNN yet")
def test_a_real_worker_survives_malformed_videos_that_skip_the_upload_checks(teacher, tmp_path, celery_worker_process):
    pid = celery_worker_process.pid
    tasks = {}
    for case in WORKER_CASES:  # as if a file changed on disk after its upload was checked
        name, content = CORPUS[case]
        session = make_session(teacher, title=case, video_file=Session.new_video_file(name), status="queued")
        session.video_path.parent.mkdir(parents=True, exist_ok=True)
        session.video_path.write_bytes(content)
        tasks[case] = process_session.apply_async(args=[session.pk])
    for case, task in tasks.items():
        outcome = task.get(timeout=240)
        session = Session.objects.get(title=case)
        assert outcome == session.status == "failed", case
        assert session.error.startswith("The video could not be analysed") and "Traceback" not in session.error, case
        assert session.seconds.count() == session.tracks.count() == session.events.count() == 0, case
        assert session.video_file == "" and "has been deleted" in session.error, case  # not kept: gone
    good = make_session(teacher, title="good", video_file=Session.new_video_file("good.mp4"), status="queued")
    write_clip(good.video_path, seconds=2)
    assert process_session.apply_async(args=[good.pk]).get(timeout=240) == "done"  # the same worker goes on
    assert celery_worker_process.poll() is None and celery_worker_process.pid == pid
