"""A long upload analysed as chunks by the real worker: the same numbers as one pass, and faults survived."""

import os
import signal

import pytest
from django.conf import settings as django_settings

from eyeclass.lectures.models import Chunk, Session
from eyeclass.lectures.tasks import process_session
from tests.clips import write_clip
from tests.waiting import log_tail, wait_until
from tests.web.factories import make_session
from tests.web.test_faults import pool_children

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not django_settings.EYECLASS_MODEL_PATH.is_file(), reason="no trained eye CNN yet"),
]


def upload(teacher, seconds: int) -> Session:
    session = make_session(teacher, video_file=Session.new_video_file("long.mp4"), keep_video=True, status="queued")
    session.video_path.parent.mkdir(parents=True, exist_ok=True)
    write_clip(session.video_path, seconds=seconds, fps=10)
    Session.objects.filter(pk=session.pk).update(duration=float(seconds))
    session.refresh_from_db()
    return session


def finished(session: Session) -> bool:
    """Failed, or done with its kept video checked (converted for the browser: the mp4v original goes)."""
    session.refresh_from_db()
    return session.status == "failed" or (session.status == "done" and session.playback in ("ready", "unplayable"))


def test_a_long_upload_is_split_and_the_chunks_give_the_numbers_of_one_pass(teacher, celery_worker_process, settings):
    from inference.pipeline import analyze_video, upload_options

    settings.EYECLASS_CHUNK_SECONDS, settings.EYECLASS_CHUNK_OVERLAP_SECONDS = 5, 3
    session = upload(teacher, seconds=16)
    assert process_session.apply(args=[session.pk]).get() == "split"
    assert Chunk.objects.filter(session=session).count() == 4  # 16 s in chunks of about 5 s
    wait_until(lambda: finished(session), 300, "the chunks stitched")
    assert session.status == "done", session.error
    assert not Chunk.objects.filter(session=session).exists()
    whole = analyze_video(session.video_path, upload_options(), keep_frames=False).to_dict()
    rows = {r["second"]: r for r in whole["seconds"]}
    stored = list(session.seconds.order_by("second"))
    assert [s.second for s in stored] == sorted(rows)  # every second once
    for s in stored:
        assert s.faces_present == pytest.approx(rows[s.second]["faces_present"], abs=0.01)
        if rows[s.second]["engagement"] is not None:
            assert s.engagement == pytest.approx(rows[s.second]["engagement"], abs=0.05)
    students = sum(1 for t in whole["tracks"] if t["last_time"] - t["first_time"] >= 2)
    assert session.summary["students"] == students == 1  # one face, joined across both boundaries


def test_a_killed_chunk_is_delivered_again_and_the_session_completes_once(teacher, celery_worker_process, settings):
    settings.EYECLASS_CHUNK_SECONDS, settings.EYECLASS_CHUNK_OVERLAP_SECONDS = 30, 2
    session = upload(teacher, seconds=90)  # chunks of a few seconds' work each
    assert process_session.apply(args=[session.pk]).get() == "split"

    def running():
        return Chunk.objects.filter(session=session, progress__gt=0.05).exists()

    wait_until(running, 180, "a chunk started")
    [child] = pool_children(celery_worker_process.pid)
    os.kill(child, signal.SIGKILL)  # the process analysing a chunk dies
    wait_until(lambda: finished(session), 400, "the killed chunk delivered again and the session finished")
    assert session.status == "done", session.error
    assert session.seconds.count() == 90  # one row per second: nothing duplicated, nothing missing


def sent_chords(monkeypatch) -> list:
    """The result of each chord the splitting sends (its stitch's; `.parent`: its chunks'), filled as they
    are sent: a split session has settled once every chunk and the stitch have (run, revoked or given up)."""
    from celery import chord

    sent = []

    def recorded_chord(header):
        def send(body):
            sent.append(chord(header)(body))
            return sent[-1]

        return send

    monkeypatch.setattr("eyeclass.lectures.chunked.chord", recorded_chord)
    return sent


def test_deleting_a_split_session_stops_its_chunks(teacher, celery_worker_process, settings, client, monkeypatch):
    settings.EYECLASS_CHUNK_SECONDS, settings.EYECLASS_CHUNK_OVERLAP_SECONDS = 40, 2
    session = upload(teacher, seconds=120)
    marker = celery_worker_process.log_path.read_text()[-200:]  # what the worker logs from here on
    chords = sent_chords(monkeypatch)
    assert process_session.apply(args=[session.pk]).get() == "split"
    wait_until(lambda: Chunk.objects.filter(session=session, progress__gt=0).exists(), 180, "a chunk started")
    client.force_login(teacher)
    client.post(f"/sessions/{session.pk}/delete/")
    assert not Session.objects.filter(pk=session.pk).exists()

    def stopped():
        return "the session was deleted" in celery_worker_process.log_path.read_text().split(marker)[-1]

    wait_until(stopped, 60, "the running chunk stopped")
    [stitch] = chords
    wait_until(
        lambda: stitch.parent.ready() and stitch.ready(),
        60,
        "every chunk and the stitch run, revoked or given up",
        diagnose=lambda: log_tail(celery_worker_process.log_path),
    )
    after = celery_worker_process.log_path.read_text().split(marker)[-1]
    assert "DatabaseError" not in after and "IntegrityError" not in after
    assert "lectures.stitch" not in after or "nothing stitched" in after  # nothing stored for a deleted session
