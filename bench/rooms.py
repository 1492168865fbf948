"""Classroom cameras at growing frame sizes: what the analysis costs per second of video, and how
many faces it finds, when a room is filmed at 352p, 720p, 1080p or 4K (`bench.throughput --rooms`).

The 352p row is the CCTV clip, the 720p row the real 720p classroom clip; nothing larger is at hand,
so the 1080p and 4K rows are that 720p clip upscaled (bicubic), written to a temporary folder and
never committed: the same faces, more pixels, which is what the cost should not follow.
Each row is the upload analysis exactly as a worker runs it (`upload_options`, lids between frames
included), a fresh `SessionAnalyzer` per pass with the loaded eye CNN.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import cv2

from inference.pipeline import SessionAnalyzer, upload_options
from inference.video import VideoReader

ROOM_CLIP = "classroom_720p_students.mp4"
UPSCALED = (("1080p", 1080), ("4K", 2160))


def room_clips(videos: Path, folder: Path) -> dict[str, Path]:
    """Row name -> clip: the CCTV clip, the 720p clip, and the 720p clip upscaled into `folder`."""
    clips = {"352p classroom_cctv.mp4": videos / "classroom_cctv.mp4", f"720p {ROOM_CLIP}": videos / ROOM_CLIP}
    for name, height in UPSCALED:
        clips[f"{name} (720p clip upscaled)"] = upscale(videos / ROOM_CLIP, folder / f"room_{name}.mp4", height)
    return clips


def upscale(source: Path, target: Path, height: int) -> Path:
    """`source` resized to `height` rows (same aspect, same frame rate) as an mp4 at `target`."""
    reader = VideoReader(source)
    width = round(reader.info.width * height / reader.info.height / 2) * 2
    writer = cv2.VideoWriter(str(target), cv2.VideoWriter_fourcc(*"mp4v"), reader.info.fps, (width, height))
    try:
        for frame in reader:
            writer.write(cv2.resize(frame.image, (width, height), interpolation=cv2.INTER_CUBIC))
    finally:
        writer.release()
    return target


def room_analysis(path: Path, classifier):
    """One pass: a fresh analyzer over the clip as an upload is analysed; returns its readability."""
    options = upload_options(emotions=classifier is not None, lite_cnn=False)

    def run():
        with SessionAnalyzer(options, classifier=classifier) as session:
            reader = VideoReader(path, fps=options.fps, between=options.lids_between, prefetch=options.decode_ahead)
            for frame in reader:
                session.feed(frame)
            session.finish()
            return session.result()

    return run


def print_rooms(clips: dict[str, Path], best: dict[str, tuple[float, object]]) -> None:
    print("\n| classroom camera | frame | video s | analysis s | x real time | faces per frame | eyes read per frame |")
    print("|---|---|---|---|---|---|---|")
    for name, path in clips.items():
        secs, result = best[name]
        info = VideoReader(path).info
        r = result.readability
        print(
            f"| {name} | {info.width}x{info.height} | {info.duration:.2f} | {secs:.2f} | "
            f"{info.duration / secs:.2f}x | {r.faces_per_frame:.1f} | {r.readable_per_frame:.1f} |"
        )


def temporary_folder() -> tempfile.TemporaryDirectory:
    return tempfile.TemporaryDirectory(prefix="eyeclass_rooms_")
