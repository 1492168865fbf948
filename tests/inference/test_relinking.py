"""One student stays one student on a fixed camera when something hides the face for a few seconds."""

from __future__ import annotations

import cv2
import pytest

from inference.engagement import STUDENT_MIN_SECONDS
from inference.faces import MediaPipeFaces
from inference.pipeline import analyze_video, upload_options
from inference.tuning import DEFAULT_TUNING
from tests.conftest import shared_path


def hide_face(source, target, start: float, end: float, seconds: float = 8.0):
    """The clip's first `seconds`, its face covered by a grey patch from `start` to `end` (no cut)."""
    cap = cv2.VideoCapture(str(source))
    fps = cap.get(cv2.CAP_PROP_FPS)
    frames = []
    while len(frames) < int(seconds * fps):
        ok, frame = cap.read()
        if not ok:
            break
        frames.append(frame)
    with MediaPipeFaces((1, 1), video=False, threads=1) as faces:
        box = max(faces(frames[0]), key=lambda f: f.box.area).box
    height, width = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(target), cv2.VideoWriter_fourcc(*"mp4v"), fps, (width, height))
    x0, y0 = max(int(box.x - 0.3 * box.w), 0), max(int(box.y - 0.3 * box.h), 0)
    x1, y1 = int(box.x + 1.3 * box.w), int(box.y + 1.3 * box.h)
    for i, frame in enumerate(frames):
        if start <= i / fps < end:
            frame = frame.copy()
            frame[y0:y1, x0:x1] = 128
        writer.write(frame)
    writer.release()
    return target


def students(result) -> list:
    return [t for t in result.tracks if t.last_time - t.first_time >= STUDENT_MIN_SECONDS]


@pytest.mark.shared
def test_a_webcam_student_hidden_for_two_and_a_half_seconds_stays_one_student(tmp_path):
    source = shared_path("data", "video", "labelled", "webcam_dim_drowsy_closure.mp4")
    clip = hide_face(source, tmp_path / "hidden.mp4", 2.5, 5.0)
    result = analyze_video(clip, upload_options(emotions=False), keep_frames=False)
    (student,) = students(result)
    assert student.first_time < 0.2 and student.last_time > 7.5

    # the same clip without re-linking: the student before and after the patch are two
    unlinked = analyze_video(
        clip, upload_options(emotions=False), keep_frames=False, tuning=DEFAULT_TUNING.replace(relink_within=0.0)
    )
    assert len(students(unlinked)) == 2
