"""Processing an uploaded session: the Celery task, run by a real worker and in-process."""

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile

from eyeclass.lectures.models import Session
from eyeclass.lectures.tasks import process_session
from tests.clips import write_clip
from tests.waiting import wait_until
from tests.web.factories import make_session
from tests.web.waits import settled

pytestmark = pytest.mark.django_db(transaction=True)


def session_with_video(teacher, tmp_path, **fields) -> Session:
    session = make_session(teacher, video_file=Session.new_video_file("clip.mp4"), status="queued", **fields)
    session.video_path.parent.mkdir(parents=True, exist_ok=True)
    write_clip(session.video_path, seconds=2)
    return session


def test_a_missing_model_fails_with_a_reason_and_keeps_the_video(teacher, tmp_path, settings):
    settings.EYECLASS_MODEL_PATH = tmp_path / "nowhere" / "eye_cnn.keras"
    session = session_with_video(teacher, tmp_path)
    assert process_session.apply(args=[session.pk]).get() == "failed"
    session.refresh_from_db()
    assert session.status == "failed" and "emotion model file is missing" in session.error
    assert session.video_path.exists()  # nothing lost: it can be reprocessed later


def test_a_video_that_vanished_fails_with_a_reason(teacher, tmp_path):
    session = session_with_video(teacher, tmp_path)
    session.video_path.unlink()
    assert process_session.apply(args=[session.pk]).get() == "failed"
    session.refresh_from_db()
    assert "no longer on the server" in session.error


def test_a_deleted_session_is_skipped(teacher, tmp_path):
    session = session_with_video(teacher, tmp_path)
    Session.objects.filter(pk=session.pk).delete()
    assert process_session.apply(args=[session.pk]).get() == "missing"


def test_deleting_a_session_while_it_is_analysed_stops_the_analysis(teacher, tmp_path, monkeypatch, caplog):
    progressed = []

    def analysis(path, on_progress):
        for step in range(100):
            if step == 3:
                client_deletes(session)
            on_progress(step / 100)
            progressed.append(step)
        return {"seconds": [], "tracks": [], "events": []}

    def client_deletes(session):
        session.video_path.unlink()
        Session.objects.filter(pk=session.pk).delete()

    monkeypatch.setattr("eyeclass.lectures.tasks.ProgressReporter.interval", 0.0)
    monkeypatch.setattr("eyeclass.lectures.tasks.analyze", analysis)
    session = session_with_video(teacher, tmp_path)
    assert process_session.apply(args=[session.pk]).get() == "deleted"
    assert progressed == [0, 1, 2]  # stopped at the first progress report after the delete
    assert not [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")]


def test_a_session_deleted_as_its_video_fails_is_not_marked_failed(teacher, tmp_path, monkeypatch, caplog):
    def analysis(path, on_progress):
        Session.objects.filter(pk=session.pk).delete()
        raise ValueError("the video ended early")

    monkeypatch.setattr("eyeclass.lectures.tasks.analyze", analysis)
    session = session_with_video(teacher, tmp_path)
    assert process_session.apply(args=[session.pk]).get() == "deleted"
    assert not [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")]


def test_an_unexpected_error_fails_with_a_reason_and_leaves_nothing_partial(teacher, tmp_path, monkeypatch):
    def broken(path, on_progress):
        on_progress(0.5)
        raise RuntimeError("cv2 assertion failed deep inside")

    monkeypatch.setattr("eyeclass.lectures.tasks.analyze", broken)
    session = session_with_video(teacher, tmp_path)
    assert process_session.apply(args=[session.pk]).get() == "failed"
    session.refresh_from_db()
    assert session.status == "failed" and "unexpected error (RuntimeError)" in session.error
    assert "reprocess" in session.error and session.seconds.count() == 0 and session.video_path.exists()


def test_a_database_that_stays_down_fails_the_session_after_the_retries(teacher, tmp_path, monkeypatch):
    from django.db import OperationalError

    calls = []

    def unreachable(path, on_progress):
        calls.append(1)
        raise OperationalError("could not connect to server")

    monkeypatch.setattr("eyeclass.lectures.tasks.analyze", unreachable)
    session = session_with_video(teacher, tmp_path)
    process_session.apply(args=[session.pk])
    session.refresh_from_db()
    assert len(calls) == 1 + process_session.max_retries
    assert session.status == "failed" and "stayed unreachable (OperationalError)" in session.error


def test_a_worker_side_decoding_error_names_no_server_path(teacher, tmp_path, monkeypatch):
    def damaged(path, on_progress):
        raise ValueError(f"{path}: frame 12 could not be decoded (damaged video)")

    monkeypatch.setattr("eyeclass.lectures.tasks.analyze", damaged)
    session = session_with_video(teacher, tmp_path, keep_video=True)
    assert process_session.apply(args=[session.pk]).get() == "failed"
    session.refresh_from_db()
    assert session.error == "The video could not be analysed: frame 12 could not be decoded (damaged video)"
    assert str(django_settings.MEDIA_ROOT) not in session.error
    assert session.video_path.exists()  # kept, as the teacher asked


def test_a_damaged_video_the_teacher_did_not_keep_is_deleted_when_it_fails_and_the_reason_says_so(
    teacher, tmp_path, monkeypatch
):
    def damaged(path, on_progress):
        raise ValueError(f"{path}: frame 12 could not be decoded (damaged video)")

    monkeypatch.setattr("eyeclass.lectures.tasks.analyze", damaged)
    session = session_with_video(teacher, tmp_path)
    stored = session.video_path
    assert process_session.apply(args=[session.pk]).get() == "failed"
    session.refresh_from_db()
    assert session.error.startswith("The video could not be analysed: frame 12 could not be decoded")
    assert session.error.endswith("so it has been deleted.")
    assert session.video_file == "" and not stored.exists()


needs_weights = pytest.mark.skipif(
    not django_settings.EYECLASS_MODEL_PATH.is_file(), reason="no trained eye CNN at EYECLASS_MODEL_PATH yet"
)


@needs_weights
def test_a_real_worker_processes_an_upload_end_to_end(client, teacher, tmp_path, celery_worker_process):
    from eyeclass.classrooms.models import Classroom

    classroom = Classroom.objects.create(teacher=teacher, name="Physics")
    clip = write_clip(tmp_path / "session.mp4", seconds=3)
    client.force_login(teacher)
    response = client.post(
        "/sessions/upload/",
        {"classroom": classroom.pk, "students_informed": "on", "video": SimpleUploadedFile("l.mp4", clip.read_bytes())},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 201
    stored = Session.objects.get().video_path
    assert stored.exists()
    session = settled(Session.objects.get())
    assert session.status == "done", session.error
    assert session.seconds.count() == 3 and session.tracks.count() >= 1
    assert session.seconds.filter(faces_present__gt=0).count() == 3
    assert session.video_file == "" and not stored.exists()  # deleted after processing by default


@needs_weights
def test_reprocessing_replaces_results_without_duplicates(teacher, tmp_path, celery_worker_process):
    session = session_with_video(teacher, tmp_path, keep_video=True)
    first_run = process_session.apply_async(args=[session.pk])
    assert first_run.get(timeout=240) == "done"
    first = (session.seconds.count(), session.tracks.count(), session.events.count())
    assert first[0] == 2
    # the broker redelivers the same message (same task id), e.g. after a worker crash
    process_session.apply_async(args=[session.pk], task_id=first_run.id)

    def ran_again():
        session.refresh_from_db()
        return session.attempts == 2 and session.status == "done"

    wait_until(ran_again, 240, "the redelivered task ran")
    assert (session.seconds.count(), session.tracks.count(), session.events.count()) == first
    assert session.video_path.exists()  # keep_video honoured
    # a stale duplicate message (another id) for a finished session is skipped, not re-run
    assert process_session.apply_async(args=[session.pk]).get(timeout=240) == "done"
    session.refresh_from_db()
    assert session.attempts == 2


@needs_weights
def test_a_database_outage_while_storing_is_retried(teacher, tmp_path, monkeypatch):
    from django.db import OperationalError

    session = session_with_video(teacher, tmp_path)
    real_store, calls = Session.store_results, []

    def flaky_store(self, result):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real_store(self, result)

    monkeypatch.setattr(Session, "store_results", flaky_store)
    process_session.apply(args=[session.pk])
    session.refresh_from_db()
    assert len(calls) == 2 and session.status == "done" and session.seconds.count() == 2
