"""A kept recording the browser cannot play (OpenCV's mp4v) is converted to H.264/AAC MP4 in the worker."""

import av
import pytest
from django.urls import reverse

from eyeclass.lectures.models import Session
from eyeclass.lectures.playback import problem
from eyeclass.lectures.tasks import process_session
from tests.clips import write_clip
from tests.web.factories import make_result, make_session

pytestmark = pytest.mark.django_db(transaction=True)


def kept_upload(teacher, suffix: str = ".mp4", writer=write_clip) -> Session:
    video_file = Session.new_video_file(f"lesson{suffix}")
    session = make_session(teacher, video_file=video_file, status="queued", keep_video=True)
    session.video_path.parent.mkdir(parents=True, exist_ok=True)
    writer(session.video_path)
    return session


def analysed_as(monkeypatch, seconds: int = 3) -> None:
    monkeypatch.setattr("eyeclass.lectures.tasks.analyze", lambda path, on_progress: make_result(seconds=seconds))


def video_codec(path) -> str:
    with av.open(str(path)) as container:
        return container.streams.video[0].codec_context.name


def test_a_kept_mp4v_upload_is_stored_as_h264_mp4_and_the_original_goes(teacher, monkeypatch, client):
    analysed_as(monkeypatch)
    session = kept_upload(teacher)
    original = session.video_path
    assert video_codec(original) == "mpeg4" and problem(original) is not None
    assert process_session.apply(args=[session.pk]).get() == "done"
    session.refresh_from_db()
    assert session.status == "done" and session.seconds.count() == 3
    assert session.playback == "ready" and "mpeg4" in session.playback_note
    assert video_codec(session.video_path) == "h264" and problem(session.video_path) is None
    assert session.video_path.suffix == ".mp4" and session.video_bytes == session.video_path.stat().st_size
    assert not original.exists()
    client.force_login(teacher)
    page = client.get(reverse("session", args=[session.pk])).content.decode()
    assert 'id="replay"' in page


def test_a_playable_upload_is_kept_as_it_is(teacher, monkeypatch):
    def h264(path):
        with av.open(str(path), "w", format="mp4") as out:
            stream = out.add_stream("libx264", rate=10)
            stream.width, stream.height, stream.pix_fmt = 160, 120, "yuv420p"
            for i in range(10):
                frame = av.VideoFrame(160, 120, "yuv420p")
                frame.pts = i
                out.mux(stream.encode(frame))
            out.mux(stream.encode(None))

    analysed_as(monkeypatch)
    session = kept_upload(teacher, writer=h264)
    stored, size = session.video_file, session.video_path.stat().st_size
    assert process_session.apply(args=[session.pk]).get() == "done"
    session.refresh_from_db()
    assert (session.playback, session.video_file, session.video_path.stat().st_size) == ("ready", stored, size)


def test_a_failed_conversion_keeps_the_numbers_and_the_original_and_the_page_says_why(teacher, monkeypatch, client):
    def broken(source, target):
        target.write_bytes(b"half a file")
        raise av.error.FFmpegError(1, "encoder gave up")

    analysed_as(monkeypatch)
    monkeypatch.setattr("eyeclass.lectures.playback.transcode", broken)
    session = kept_upload(teacher)
    original = session.video_path
    assert process_session.apply(args=[session.pk]).get() == "done"
    session.refresh_from_db()
    assert session.status == "done" and session.seconds.count() == 3
    assert session.video_path == original and original.exists() and video_codec(original) == "mpeg4"
    assert session.playback == "unplayable" and not list(original.parent.glob("*.part"))
    client.force_login(teacher)
    page = client.get(reverse("session", args=[session.pk])).content.decode()
    assert "cannot be played in the browser" in page and "mpeg4" in page and 'id="replay"' not in page


@pytest.mark.parametrize("meanwhile", ["deleted", "reprocessed"])
def test_a_session_deleted_or_reprocessed_while_its_video_converts_keeps_only_the_original(
    teacher, monkeypatch, meanwhile
):
    from eyeclass.lectures import playback

    real = playback.transcode

    def and_meanwhile(source, target):
        real(source, target)
        if meanwhile == "deleted":
            Session.objects.filter(pk=session.pk).delete()
        else:
            Session.objects.filter(pk=session.pk).update(status="processing")

    analysed_as(monkeypatch)
    monkeypatch.setattr("eyeclass.lectures.playback.transcode", and_meanwhile)
    session = kept_upload(teacher)
    folder, original = session.video_path.parent, session.video_path
    before = set(folder.iterdir())
    process_session.apply(args=[session.pk]).get()
    assert set(folder.iterdir()) == before and original.exists()  # the converted copy went, the original stays
    if meanwhile == "reprocessed":
        assert Session.objects.get(pk=session.pk).video_file == session.video_file


def test_a_video_being_converted_says_so_on_its_page(teacher, client):
    session = make_session(teacher, status="done", keep_video=True, video_file="uploads/x.avi")
    Session.objects.filter(pk=session.pk).update(playback="converting", playback_note="its video codec (mpeg4) …")
    client.force_login(teacher)
    page = client.get(reverse("session", args=[session.pk])).content.decode()
    assert "being converted so that browsers can play it" in page and 'id="replay"' not in page


def test_a_container_browsers_do_not_play_is_converted_too(tmp_path):
    import cv2
    import numpy as np

    from eyeclass.lectures.playback import transcode

    avi = tmp_path / "lesson.avi"
    writer = cv2.VideoWriter(str(avi), cv2.VideoWriter_fourcc(*"MJPG"), 10, (161, 121))  # odd sides too
    for i in range(20):
        writer.write(np.full((121, 161, 3), i * 10, np.uint8))
    writer.release()
    assert "container (AVI" in problem(avi)
    transcode(avi, tmp_path / "lesson.mp4")
    assert problem(tmp_path / "lesson.mp4") is None and video_codec(tmp_path / "lesson.mp4") == "h264"
