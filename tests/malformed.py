"""A corpus of malformed uploads, generated (nothing stored in the repo). Each entry: name -> (file name, bytes)."""

from __future__ import annotations

import io
import struct
import tempfile
import wave
import zipfile
from pathlib import Path

import cv2
import numpy as np

from tests.clips import write_clip


def _clip(seconds=2.0, fps=10.0, suffix=".mp4") -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        return write_clip(Path(tmp) / f"c{suffix}", seconds=seconds, fps=fps).read_bytes()


def _y4m(width: int, height: int, fps: str, frames: int = 1, frame_bytes: int | None = None) -> bytes:
    header = f"YUV4MPEG2 W{width} H{height} F{fps} Ip A1:1 C420jpeg\n".encode()
    size = frame_bytes if frame_bytes is not None else width * height * 3 // 2
    return header + (b"FRAME\n" + bytes([128]) * size) * frames


def _wav() -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes((np.sin(np.arange(32000) / 8) * 10000).astype("<i2").tobytes())
    return buffer.getvalue()


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("session.txt", "not a video")
    return buffer.getvalue()


def _image(ext: str) -> bytes:
    return cv2.imencode(ext, np.full((120, 160, 3), 200, np.uint8))[1].tobytes()


def _avi(patch, frames: int = 10) -> bytes:
    """A small MJPG AVI (10 fps) with its headers changed by `patch(data, avih_offset, strh_offset)`."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "x.avi"
        writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10, (160, 120))
        for _ in range(frames):
            writer.write(np.full((120, 160, 3), 90, np.uint8))
        writer.release()
        data = bytearray(path.read_bytes())
    patch(data, data.find(b"avih") + 8, data.find(b"strh") + 8)
    return bytes(data)


def _years_long(data, avih, strh):
    struct.pack_into("<I", data, avih + 16, 0x7FFFFFFF)  # dwTotalFrames
    struct.pack_into("<I", data, strh + 32, 0x7FFFFFFF)  # dwLength


def _zero_fps(data, avih, strh):
    struct.pack_into("<I", data, avih, 0)  # dwMicroSecPerFrame
    struct.pack_into("<I", data, strh + 24, 0)  # dwRate


def _claims_100000_frames(data, avih, strh):
    struct.pack_into("<I", data, avih + 16, 100_000)  # dwTotalFrames
    struct.pack_into("<I", data, strh + 32, 100_000)  # dwLength


def _thousandth_fps(data, avih, strh):
    struct.pack_into("<I", data, avih, 1_000_000_000)  # dwMicroSecPerFrame: 1000 s
    struct.pack_into("<II", data, strh + 20, 1000, 1)  # dwScale, dwRate: 1/1000 frames per second


def corpus() -> dict[str, tuple[str, bytes]]:
    clip = _clip()
    return {
        "zero bytes": ("empty.mp4", b""),
        "truncated mp4 (a third)": ("cut.mp4", clip[: len(clip) // 3]),
        "truncated mp4 (first KB)": ("cut.mp4", clip[:1024]),
        "mp4 without its index": ("noindex.mp4", clip[: len(clip) - 400]),
        "text file named .mp4": ("notes.mp4", b"These are my session notes.\n" * 100),
        "html page named .mp4": ("page.mp4", b"<!doctype html><html><body>" + b"<p>hi</p>" * 200 + b"</body></html>"),
        "pdf named .mov": ("slides.mov", b"%PDF-1.4\n" + b"0" * 4000),
        "zip archive named .mp4": ("archive.mp4", _zip()),
        "random bytes": ("noise.mp4", np.random.default_rng(0).integers(0, 256, 50_000, dtype=np.uint8).tobytes()),
        "a PNG image named .mp4": ("photo.mp4", _image(".png")),
        "a JPEG image (a single picture)": ("photo.jpg", _image(".jpg")),
        "audio only (wav)": ("talk.mp4", _wav()),
        "huge declared dimensions": ("huge.y4m", _y4m(20000, 20000, "25:1", frames=1, frame_bytes=64)),
        "zero fps": ("zero.avi", _avi(_zero_fps)),
        "a single frame": ("one.mp4", _clip(seconds=0.1, fps=10)),
        "half a second of video": ("short.mp4", _clip(seconds=0.5, fps=10)),
        "y4m with a cut-off first frame": ("cut.y4m", _y4m(64, 48, "25:1", frames=1, frame_bytes=100)),
        "extremely long duration metadata": ("long.avi", _avi(_years_long)),
        "ftyp box only": ("ftyp.mp4", struct.pack(">I", 24) + b"ftypisom" + b"\x00\x00\x02\x00isomiso2"),
        "mp4 header then zeros": ("zeros.mp4", clip[:64] + bytes(20_000)),
        "gzip bytes": ("data.mp4", b"\x1f\x8b\x08\x00" + bytes(1000)),
        "avi declaring 100000 frames, holding 20": ("claims.avi", _avi(_claims_100000_frames, frames=20)),
        "avi at 0.001 fps": ("slow.avi", _avi(_thousandth_fps, frames=20)),
    }
