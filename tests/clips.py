"""Generated video clips for tests (no ../shared needed)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np


def astronaut_face() -> np.ndarray:
    """A real face photo (BGR) from scikit-image."""
    from skimage import data

    return cv2.cvtColor(data.astronaut()[0:260, 120:360], cv2.COLOR_RGB2BGR)


def write_clip(path: Path, seconds: float = 2.0, fps: float = 10.0, size=(480, 360), face: bool = True) -> Path:
    """An MP4 (mp4v) clip: a face drifting slowly over a grey background, or just the background."""
    width, height = size
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (width, height))
    assert writer.isOpened(), "OpenCV cannot write mp4v here"
    portrait = astronaut_face()
    for i in range(int(seconds * fps)):
        frame = np.full((height, width, 3), 128, np.uint8)
        if face:
            x = 80 + i % 20
            frame[40 : 40 + portrait.shape[0], x : x + portrait.shape[1]] = portrait
        writer.write(frame)
    writer.release()
    return path


def write_y4m(source: Path, target: Path, max_frames: int = 150) -> Path:
    """Convert a video to the raw .y4m that Chromium can use as a fake camera."""
    cap = cv2.VideoCapture(str(source))
    fps = cap.get(cv2.CAP_PROP_FPS) or 25.0
    ok, frame = cap.read()
    assert ok, f"cannot read {source}"
    height, width = frame.shape[:2]
    with target.open("wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F{round(fps * 1000)}:1000 Ip A1:1 C420jpeg\n".encode())
        for _ in range(max_frames):
            out.write(b"FRAME\n" + cv2.cvtColor(frame, cv2.COLOR_BGR2YUV_I420).tobytes())
            ok, frame = cap.read()
            if not ok:
                break
    cap.release()
    return target


def write_poster_clip(person: Path, poster_source: Path, target: Path, poster_frame: int = 10) -> Path:
    """A real recording of one moving person with a printed face on the wall beside them: one frame of
    another real clip, its central face region pasted, unchanging, into the top-right of every frame."""
    cap = cv2.VideoCapture(str(poster_source))
    cap.set(cv2.CAP_PROP_POS_FRAMES, poster_frame)
    ok, still = cap.read()
    cap.release()
    assert ok, f"cannot read {poster_source}"
    height, width = still.shape[:2]
    # the face and some hair and background around it: the middle of a selfie
    poster = still[int(0.08 * height) : int(0.86 * height), int(0.08 * width) : int(0.78 * width)]
    cap = cv2.VideoCapture(str(person))
    fps = cap.get(cv2.CAP_PROP_FPS) or 25.0
    size = (int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT)))
    poster = cv2.resize(poster, (size[0] // 4, int(size[0] // 4 * poster.shape[0] / poster.shape[1])))
    writer = cv2.VideoWriter(str(target), cv2.VideoWriter_fourcc(*"mp4v"), fps, size)
    assert writer.isOpened(), "OpenCV cannot write mp4v here"
    x = size[0] - poster.shape[1] - size[0] // 40
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        frame[20 : 20 + poster.shape[0], x : x + poster.shape[1]] = poster
        writer.write(frame)
    cap.release()
    writer.release()
    return target
