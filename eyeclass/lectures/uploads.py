"""Upload handling: stream to disk under a size cap, then prove the file is a decodable video."""

from __future__ import annotations

import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload, TemporaryFileUploadHandler

MAX_SIDE = 4096  # pixels; larger declared frames are refused before decoding
MAX_DURATION_S = 6 * 3600
MIN_DURATION_S = 1.0
MIN_FRAMES = 2
MIN_FPS = 1.0  # slower "video" is a slide show: no blink or track survives a second between frames
COMPLETE = 0.9  # a file must hold this share of its declared frames (the reader's own rule)
COUNT_BUDGET_S = 20.0  # seconds spent counting frames when seeking cannot settle it
SEEK_BUDGET_S = 10.0  # seconds spent finding where a file that falls short of its declared frames ends


class UploadTooLarge(Exception):
    pass


class SizeCapUploadHandler(FileUploadHandler):
    """Aborts a request as soon as its files exceed settings.UPLOAD_MAX_BYTES (checked while streaming)."""

    def __init__(self, request=None) -> None:
        super().__init__(request)
        self.received = 0

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length and content_length > settings.UPLOAD_MAX_BYTES + 1024 * 1024:
            self.request.upload_too_large = True
            raise StopUpload()

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.UPLOAD_MAX_BYTES:
            self.request.upload_too_large = True
            raise StopUpload()  # the rest of the body is read and discarded, so the client gets our answer
        return raw_data

    def file_complete(self, file_size):
        return None


def declare_spooled_length(request) -> None:
    """Give a chunked body (sent with no Content-Length) its length, which Django's form parser needs
    (without it the form reads as empty). The ASGI handler has already spooled the whole body, within the
    limits of eyeclass.ops.limits, so its size is known."""
    stream = getattr(request, "_stream", None)
    if request.META.get("CONTENT_LENGTH") or stream is None or not hasattr(stream, "seek"):
        return
    position = stream.tell()
    request.META["CONTENT_LENGTH"] = str(stream.seek(0, 2) - position)
    stream.seek(position)


def install_upload_handlers(request) -> None:
    """Size cap first, then Django's handler that streams to a temporary file (never all in memory)."""
    request.upload_too_large = False
    request.upload_handlers = [SizeCapUploadHandler(request), TemporaryFileUploadHandler(request)]


@dataclass(frozen=True)
class VideoFacts:
    width: int
    height: int
    fps: float
    frames: int

    @property
    def duration(self) -> float:
        return self.frames / self.fps if self.fps > 0 else 0.0


AUDIO_SIGNATURES = {  # (offset, bytes) -> what the file is
    (8, b"WAVE"): "WAV",
    (0, b"ID3"): "MP3",
    (0, b"\xff\xfb"): "MP3",
    (0, b"\xff\xf3"): "MP3",
    (0, b"fLaC"): "FLAC",
    (8, b"M4A "): "M4A",
    (8, b"M4B "): "M4A",
    (0, b"#!AMR"): "AMR",
}


def unreadable_reason(path: Path) -> str:
    """Why a file OpenCV cannot open is no video: named when its first bytes say so."""
    with open(path, "rb") as f:
        head = f.read(64)
    for (offset, signature), kind in AUDIO_SIGNATURES.items():
        if head[offset : offset + len(signature)] == signature:
            return f"This is an audio file ({kind}) with no video picture; a session recording needs video."
    if head.startswith(b"YUV4MPEG2 "):  # raw video: its header line declares the size
        size = re.search(rb" W(\d+) H(\d+)", head.split(b"\n")[0])
        if size and max(int(size[1]), int(size[2])) > MAX_SIDE:
            return f"The video is {int(size[1])}x{int(size[2])}; at most {MAX_SIDE}x{MAX_SIDE} is supported."
    return "This file is not a readable video (unknown format or damaged file)."


def inspect_video(path: Path) -> VideoFacts:
    """Raise ValueError with a readable reason unless `path` holds a video whose first frame decodes."""
    from inference.video import probe

    try:
        info = probe(path)
    except ValueError:
        raise ValueError(unreadable_reason(path)) from None
    if info.width <= 0 or info.height <= 0:
        raise ValueError("This file has no video picture (is it audio only?).")
    if info.width > MAX_SIDE or info.height > MAX_SIDE:
        raise ValueError(f"The video is {info.width}x{info.height}; at most {MAX_SIDE}x{MAX_SIDE} is supported.")
    if not 0 < info.fps <= 240:
        raise ValueError("The video declares no usable frame rate.")
    if info.fps < MIN_FPS:
        raise ValueError(
            f"The video declares {info.fps:g} frames per second; at least {MIN_FPS:g} is needed to follow faces."
        )
    if info.frame_count / info.fps > MAX_DURATION_S:
        raise ValueError(
            f"The video declares {info.frame_count / info.fps / 3600:.1f} hours; at most 6 hours is supported."
        )
    needed = max(MIN_FRAMES, int(np.ceil(info.fps * MIN_DURATION_S)))
    cap = cv2.VideoCapture(str(path))
    try:
        ok, frame = cap.read()
        if not ok or frame is None:
            raise ValueError("The first frame of this video cannot be decoded (damaged or unsupported file).")
        decoded = 1
        while decoded < needed and cap.grab():  # count frames when the container does not say
            decoded += 1
    finally:
        cap.release()
    if decoded < needed:
        what = "a single picture" if decoded == 1 else f"only {decoded} frames"
        raise ValueError(f"This is {what}, not a session recording: at least {MIN_DURATION_S:g} s of video is needed.")
    if info.frame_count > needed:
        target = int(info.frame_count * COMPLETE)
        held = frames_up_to(path, target)
        if held < target:
            raise ValueError(
                f"The video declares {info.frame_count} frames but holds only {held}: "
                "the file is damaged or was cut short."
            )
    return VideoFacts(info.width, info.height, info.fps, info.frame_count)


def frames_up_to(path: Path, target: int) -> int:
    """`target` if frame number `target` exists, else how many frames the file holds (at least).

    Seeking settles it: one seek when the frame is there. When it is not, and seeking works in this
    file, the end is found by seeking to frames 1, 2, 4, 8, ... then halving the gap: a seek that
    finds its frame is cheap, one past the end reads on to the end of the file, so few of those are
    made, and none after SEEK_BUDGET_S (the answer is then the last frame found, a lower bound).
    Only where seeking reaches nothing are frames counted, for at most COUNT_BUDGET_S; past that the
    file is taken at its word, and the analysis checks again as it reads."""
    if reachable(path, target - 1):
        return target
    if reachable(path, 1):
        deadline = time.monotonic() + SEEK_BUDGET_S
        held, missing = 1, target - 1  # frame `held` is there, frame `missing` is not
        while 2 * held < missing and time.monotonic() < deadline:
            if not reachable(path, 2 * held):
                missing = 2 * held
                break
            held *= 2
        while missing - held > 1 and time.monotonic() < deadline:
            middle = (held + missing) // 2
            held, missing = (middle, missing) if reachable(path, middle) else (held, middle)
        return held + 1
    cap = cv2.VideoCapture(str(path))
    deadline = time.monotonic() + COUNT_BUDGET_S
    try:
        count = 0
        while count < target and cap.grab():
            count += 1
            if time.monotonic() > deadline:
                return target
        return count
    finally:
        cap.release()


def reachable(path: Path, index: int) -> bool:
    """Whether a seek to frame `index` (from 0) finds a frame there."""
    cap = cv2.VideoCapture(str(path))
    try:
        cap.set(cv2.CAP_PROP_POS_FRAMES, index)
        return cap.grab()
    finally:
        cap.release()


def store_upload(uploaded, relative_path: str) -> Path:
    """Move the streamed temporary file (or copy small in-memory ones) to MEDIA_ROOT/relative_path."""
    target = Path(settings.MEDIA_ROOT) / relative_path
    target.parent.mkdir(parents=True, exist_ok=True)
    if hasattr(uploaded, "temporary_file_path"):
        shutil.move(uploaded.temporary_file_path(), target)
    else:
        with target.open("wb") as out:
            for chunk in uploaded.chunks():
                out.write(chunk)
    return target
