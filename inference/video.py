"""Decode: stream frames from a video file with exact timestamps, at an optional analysis rate.

Memory is constant: one frame at a time. Timestamps come from the container (OpenCV's
CAP_PROP_POS_MSEC after each grab, i.e. the frame's presentation time), falling back to
index / fps when the backend reports none. With `fps` set, frames are picked so that the analysed
times are as close as possible to a regular grid of 1/fps seconds; skipped frames are only
grabbed (not converted), which is cheaper.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from .records import Record


@dataclass(frozen=True)
class VideoInfo(Record):
    path: str
    width: int
    height: int
    fps: float
    frame_count: int  # as declared by the container (may be 0 when unknown)

    @property
    def duration(self) -> float:
        return self.frame_count / self.fps if self.fps > 0 else 0.0


@dataclass
class Frame:
    """One decoded frame: its index in the file, its time in seconds and its BGR pixels."""

    index: int
    time: float
    image: np.ndarray
    sampled: bool = True  # False: a frame between the analysed ones, read only with `between`


def probe(path: str | Path) -> VideoInfo:
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such file")
    cap = cv2.VideoCapture(str(path))
    try:
        if not cap.isOpened():
            raise ValueError(f"{path}: not a readable video (unknown format or damaged file)")
        return VideoInfo(
            path=str(path),
            width=int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)),
            height=int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT)),
            fps=float(cap.get(cv2.CAP_PROP_FPS) or 0.0),
            frame_count=max(0, int(cap.get(cv2.CAP_PROP_FRAME_COUNT))),
        )
    finally:
        cap.release()


class VideoReader:
    """Iterate `Frame`s. `fps=None` analyses every frame (what micro-expression spotting wants).

    Raises ValueError for a file OpenCV cannot open, one with no decodable frame, or one that ends
    well before its declared length (truncated: fewer than `min_complete` of the declared frames).
    """

    def __init__(
        self,
        path: str | Path,
        fps: float | None = None,
        min_complete: float = 0.9,
        start: float = 0.0,
        end: float | None = None,
        between: bool = False,
        prefetch: int = 0,
    ) -> None:
        """`between`: also decode and yield the frames between the sampled ones (`sampled=False`).
        `prefetch`: decode up to this many frames ahead in a thread of their own (OpenCV releases the
        GIL), so decoding overlaps the caller's work on 2+ cores; the same frames in the same order.
        0 = decode in the caller's thread."""
        if fps is not None and fps <= 0:
            raise ValueError("--fps must be positive")
        self.info = probe(path)
        self.fps = fps
        self.min_complete = min_complete
        self.start, self.end = start, end  # a time span [start, end) of the file (a chunk); default all
        self.between = between and fps is not None
        self.decoded = 0  # frames read from the file so far (analysed or skipped)
        self.prefetch = prefetch

    def __iter__(self) -> Iterator[Frame]:
        return self._decode() if self.prefetch <= 0 else self._ahead()

    def _ahead(self) -> Iterator[Frame]:
        """`_decode` in a thread, at most `prefetch` frames ahead; its errors are raised here, in order."""
        ready: queue.Queue = queue.Queue(self.prefetch)
        stop = threading.Event()
        end = object()

        def hand(item) -> bool:
            """Queue `item` unless the caller has stopped; False once it has."""
            while not stop.is_set():
                try:
                    ready.put(item, timeout=0.1)
                    return True
                except queue.Full:
                    continue
            return False

        def run() -> None:
            frames = self._decode()
            try:
                for frame in frames:
                    if not hand(frame):
                        return
                hand(end)
            except BaseException as error:  # raised in the caller's thread
                hand(error)
            finally:
                frames.close()  # releases the file now, not when collected

        worker = threading.Thread(target=run, name="decode", daemon=True)
        worker.start()
        try:
            while (item := ready.get()) is not end:
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:  # the caller stopped early (or an error): the thread ends and releases the file
            stop.set()
            worker.join()

    def _decode(self) -> Iterator[Frame]:
        cap = cv2.VideoCapture(self.info.path)
        native = self.info.fps if self.info.fps > 0 else 30.0
        first = int(round(self.start * native)) if self.start > 0 else 0
        if first:  # seek, then pick frames on the same time grid a whole-file read uses
            cap.set(cv2.CAP_PROP_POS_FRAMES, first)
        next_time = np.ceil(self.start * self.fps - 1e-6) / self.fps if self.fps and first else 0.0
        last_time = -1.0
        try:
            while cap.grab():
                index = first + self.decoded
                self.decoded += 1
                msec = cap.get(cv2.CAP_PROP_POS_MSEC)
                t = msec / 1000.0 if (msec > 0 or index == 0) and msec / 1000.0 > last_time else index / native
                last_time = t
                if self.end is not None and t >= self.end:
                    break
                sampled = True
                if self.fps is not None:
                    sampled = t + 0.5 / native >= next_time
                    if not sampled and not self.between:
                        continue
                    while next_time <= t + 0.5 / native:
                        next_time += 1.0 / self.fps
                ok, image = cap.retrieve()
                if not ok or image is None:
                    raise ValueError(f"{self.info.path}: frame {index} could not be decoded (damaged video)")
                yield Frame(index=index, time=t, image=image, sampled=sampled)
        finally:
            cap.release()
        if self.start == 0 and self.end is None:
            self._check_complete()
        elif self.decoded == 0:
            raise ValueError(f"{self.info.path}: no decodable frame after {self.start:.1f} s (damaged or truncated)")

    def _check_complete(self) -> None:
        path, declared = self.info.path, self.info.frame_count
        if self.decoded == 0:
            raise ValueError(f"{path}: no decodable frame (empty or damaged video)")
        if declared > 0 and self.decoded < self.min_complete * declared:
            raise ValueError(f"{path}: video is truncated: decoded {self.decoded} of {declared} declared frames")
