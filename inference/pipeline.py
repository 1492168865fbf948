"""The streaming pipeline: decode -> faces/landmarks -> track -> align + cut eyes -> classify
(batched across faces and frames) -> eye signals -> spot -> aggregate.

Two entry points for callers (the Celery worker, the live-camera mode, the CLI):
- `SessionAnalyzer`: push one frame (BGR ndarray + timestamp) at a time; keeps tracks, blink and
  spotting state across frames. `push` returns the frames whose results are complete (the CNN
  batches up to `batch_size` bands or `max_delay` frames); `process` returns the frame's own
  result at once (live mode); `finish` flushes everything at the end.
- `analyze_video(path, options, on_progress=...)`: the whole file, constant memory unless
  `keep_frames` (the per-frame records are numbers only, small next to the frames).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Self

import cv2
import numpy as np

from .align import align_bands, eye_boxes
from .classifier import accelerate, load_classifier
from .engagement import EngagementAggregator
from .eyesignals import EyeSignalEstimator
from .faces import Face, MediaPipeFaces, eye_centres
from .geometry import EYE_BAND
from .headpose import HeadOnly
from .labels import LABELS, top_label
from .options import UPLOAD_FPS, AnalysisOptions, live_options, upload_options
from .readability import ReadabilityCounter
from .records import AnalysisResult, Box, Event, FaceRecord, FrameResult, SecondAggregate
from .schedule import LandmarkSchedule, ScanSchedule
from .spotting import Spotter
from .steps import read_between, read_eyes, spot
from .stillness import StillnessMeter
from .tracking import IouTracker, SceneCuts, Shot
from .tuning import DEFAULT_TUNING, Tuning
from .video import Frame, VideoReader

__all__ = [  # the options live in options.py; callers import them from here with the analyzer
    "UPLOAD_FPS",
    "AnalysisOptions",
    "SessionAnalyzer",
    "analyze_video",
    "live_options",
    "read_between",
    "read_eyes",
    "spot",
    "upload_options",
]


@dataclass
class _Pending:
    result: FrameResult
    bands: list[np.ndarray]  # one per face whose eye region is read (readable, head frontal)
    read: list[FaceRecord]  # those faces, in the same order


class SessionAnalyzer:
    def __init__(
        self,
        options: AnalysisOptions | None = None,
        classifier=None,
        faces=None,
        window: tuple[float, float] | None = None,
        tuning: Tuning = DEFAULT_TUNING,
    ) -> None:
        """`window`: count only frames and events in [start, end) of session time (a chunk's own span;
        frames around it only warm up tracks, eye levels and spotting baselines). `tuning`: the signal
        steps' tuned numbers (inference/tuning.py). `faces`: the face step (default `MediaPipeFaces`),
        any callable `(bgr, near=None, fine=False) -> [Face]` with `mesh_crop(bgr, box, margin=...)`; the
        schedules in inference/schedule.py say when it scans, follows and reads landmarks."""
        self.options = opts = options or AnalysisOptions()
        self.window = window
        if classifier is None and opts.emotions:
            classifier = load_classifier()
        self.classifier = classifier if opts.emotions else None
        if self.classifier is not None and opts.lite_cnn:
            self.classifier = accelerate(self.classifier)
        self.band = getattr(self.classifier, "band", EYE_BAND)
        self._own_faces = faces is None
        self.faces = faces or MediaPipeFaces(
            opts.tiles,
            min_confidence=opts.min_confidence,
            video=True,
            threads=opts.face_threads,
            retries=False,
            follow_margin=tuning.faces.follow_margin,
            follow_merge=tuning.faces.follow_merge,
            tile_per_face=tuning.faces.tile_per_face,
            fine_area=tuning.faces.fine_area,
        )
        self.scans = ScanSchedule(tuning.faces)
        self.passes = LandmarkSchedule(
            opts.landmark_passes, opts.min_inter_ocular, tuning.faces.miss_rest, tuning.faces.miss_pause
        )
        self.tracker = IouTracker(max_gap=opts.track_max_gap, config=tuning.tracking)
        # a shot that comes back within the re-linking time (the lens covered, a grey patch) continues its tracks
        self.cuts = SceneCuts(max_return=max(opts.track_max_gap, tuning.tracking.relink_within))
        self.eyes = EyeSignalEstimator(tuning.eyes)
        # the crop mesh on several faces, side by side where the face step can (MediaPipeFaces.mesh_crops)
        self._crops = getattr(self.faces, "mesh_crops", None) or (
            lambda bgr, boxes: [self.faces.mesh_crop(bgr, b) for b in boxes]
        )
        self.heads = HeadOnly(getattr(self.faces, "mesh_crops", None), tuning.heads)  # a fake finder may have none
        self.spotter = Spotter(tuning.spotter)
        self.engagement = EngagementAggregator(tuning.facing)
        self.stillness = StillnessMeter()
        self.readability = ReadabilityCounter(self.options.min_inter_ocular, self.engagement.facing)
        self.events: list[Event] = []
        self.seconds: list[SecondAggregate] = []
        self._pending: list[_Pending] = []
        # the batch the CNN is classifying, with the tracks alive after its last frame
        self._in_flight: tuple[list[_Pending], set[int], Future] | None = None
        self._cnn_lane = (
            ThreadPoolExecutor(1, thread_name_prefix="cnn") if self.classifier and opts.overlap_cnn else None
        )
        self._frames = 0
        self._lid_boxes: dict[int, Box] = {}  # track -> box of its last face with landmarks
        self._blinked: set[int] = set()  # tracks whose blink ended between analysed frames
        self._last_time: float | None = None
        self._periods: list[float] = []

    # -- public API -------------------------------------------------------------------------
    def push(self, image: np.ndarray, time: float, index: int | None = None) -> list[FrameResult]:
        """Analyse one BGR (or grey) frame; returns the frames (this one or earlier) now complete,
        in order. `index` defaults to a running count."""
        if self._last_time is not None and time <= self._last_time:
            raise ValueError(f"frame times must increase (got {time} after {self._last_time})")
        index = self._frames if index is None else index
        if self._last_time is not None and len(self._periods) < 64:
            self._periods.append(time - self._last_time)
        self._last_time, self._frames = time, self._frames + 1
        if image.ndim == 2:
            image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
        shot = self.cuts(image, time)
        if shot == "cut":
            self.tracker.suspend(time)
        elif shot == "back":
            self.tracker.resume()
        faces = self._find(image, time, shot)
        ids = self.tracker.update([f.box for f in faces], time, image)
        self._landmarks(image, faces, ids, time)
        self._lid_boxes = {
            t: f.box
            for f, t in zip(faces, ids)
            if f.landmarks is not None and f.inter_ocular >= self.options.lids_between_min_iod
        }
        small = [(t, f.box) for f, t in zip(faces, ids) if f.inter_ocular < self.options.min_inter_ocular]
        self.heads.measure(small, time, image)
        gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
        pending = _Pending(FrameResult(index, time, image=image if self.options.keep_images else None), [], [])
        for face, track in zip(faces, ids):
            record = self._record(face, track, index, time)
            pending.result.faces.append(record)
            counted = face.landmarks is not None and record.signals is not None and self._counted(time)
            if counted:
                self.stillness.add(track, time, face.landmarks, record.inter_ocular, record.signals.blink)
            if record.readable and self.eyes.frontal(record.signals):
                pending.bands.append(align_bands(gray, [face.eyes], self.band)[0])
                pending.read.append(record)
                if counted:
                    self.stillness.appearance(track, pending.bands[-1])
            elif record.readable:
                # the CNN learnt frontal faces: a bowed head's lowered lids read as sad
                record.flags.append("head_turned")
        self._pending.append(pending)
        waiting = sum(len(p.bands) for p in self._pending)
        if waiting >= self.options.batch_size or len(self._pending) >= self.options.max_delay:
            return self._dispatch()
        return []

    def carry_over(self, time: float) -> None:
        """Live mode: the stream paused (the page left and came back); the next frame, at `time`,
        continues the tracks as if there had been no pause (IouTracker.carry_over)."""
        self.tracker.carry_over(time)

    def feed(self, frame: Frame) -> list[FrameResult]:
        """A frame from `VideoReader`: analysed when sampled, else only its lids are read."""
        if not frame.sampled:
            self.between(frame.image, frame.time)
            return []
        return self.push(frame.image, frame.time, frame.index)

    def between(self, image: np.ndarray, time: float) -> None:
        """A frame between analysed ones: only the lids of the faces last seen with landmarks are read,
        by a crop mesh at their last box; a blink that ends here flags the track's next record."""
        if not self.options.lids_between or not self._lid_boxes:
            return
        bgr = image if image.ndim == 3 else cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
        tracks = list(self._lid_boxes)
        for track, landmarks in zip(tracks, self._crops(bgr, [self._lid_boxes[t] for t in tracks])):
            if landmarks is not None:
                self._read_between(track, landmarks, time)

    def _find(self, image: np.ndarray, time: float, shot: Shot) -> list[Face]:
        """The frame's faces: a full scan when one is due, else only around the tracked faces."""
        scan = self.scans.due(time, shot)
        if scan is None:
            return self.faces(image, near=[t.box for t in self.tracker.tracks])
        return self.faces(image, fine=scan == "fine")

    def _landmarks(self, image: np.ndarray, faces: list[Face], ids: list[int], time: float) -> None:
        """This frame's share of the landmark passes (`LandmarkSchedule`), into the faces picked."""
        self.passes.forget(self.tracker.alive)
        picked = self.passes.pick(faces, ids, time)
        found = self._crops(image, [faces[i].box for i in picked]) if picked else []
        for i, landmarks in zip(picked, found):
            faces[i].landmarks = landmarks
            self.passes.tried(ids[i], time, faces[i].landmarks is not None)
            if faces[i].landmarks is not None:
                faces[i].eyes = eye_centres(faces[i].landmarks)

    def _read_between(self, track: int, landmarks: np.ndarray, time: float) -> None:
        read_between(self.eyes, self._blinked, track, landmarks, time)

    def process(self, image: np.ndarray, time: float, index: int | None = None) -> FrameResult:
        """Live mode: analyse one frame and return its own result at once."""
        done = self.push(image, time, index)
        done += self.flush()
        return done[-1]

    def process_jpeg(self, data: bytes, time: float, index: int | None = None) -> FrameResult:
        """Live mode with encoded frames (JPEG/PNG bytes from a camera or browser)."""
        image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
        if image is None:
            raise ValueError("frame is not a decodable image")
        return self.process(image, time, index)

    @property
    def frames_analysed(self) -> int:
        return self._frames

    def flush(self) -> list[FrameResult]:
        """Classify everything pending and return those frames' results."""
        done = self._collect()
        batch, self._pending = self._pending, []
        return done + self._complete(batch, self._live_tracks(), self._classify(batch))

    def _dispatch(self) -> list[FrameResult]:
        """Hand the pending frames to the CNN (in its own thread when `overlap_cnn`) and return the
        batch before them, now complete: results come out one batch later, in order."""
        if self._cnn_lane is None:
            return self.flush()
        done = self._collect()
        batch, self._pending = self._pending, []
        self._in_flight = (batch, self._live_tracks(), self._cnn_lane.submit(self._classify, batch))
        return done

    def _collect(self) -> list[FrameResult]:
        if self._in_flight is None:
            return []
        batch, live, future = self._in_flight
        self._in_flight = None
        return self._complete(batch, live, future.result())

    def _live_tracks(self) -> set[int]:
        return self.tracker.alive

    def _classify(self, batch: list[_Pending]) -> np.ndarray | None:
        bands = [b for p in batch for b in p.bands]
        if self.classifier is None or not bands:
            return None
        return np.asarray(self.classifier.predict_bands(np.stack(bands), flip=self.options.flip_tta), dtype=np.float32)

    def _complete(self, batch: list[_Pending], live: set[int], probs: np.ndarray | None) -> list[FrameResult]:
        """Probabilities into the records, then spotting and aggregation, frame by frame in order.
        `live`: the tracks alive after the batch's last frame (spotting state of the others ends)."""
        k, out = 0, []
        for p in batch:
            for record, band in zip(p.read, p.bands):
                row = None if probs is None else probs[k]
                k += 1
                if row is not None:
                    record.probs = dict(zip(LABELS, row.tolist()))
                    record.top = top_label(row)
                if self.options.spotting:
                    p.result.events += spot(self.spotter, record, band, row)
            if self._counted(p.result.time):
                self.seconds += self.engagement.add(p.result)
                self.readability.add(p.result)
            out.append(p.result)
        self.eyes.forget(self._live_tracks())  # eye state is per frame as pushed: today's tracks
        self.heads.forget(self._live_tracks())
        self.stillness.forget(self._live_tracks())
        self._blinked &= self._live_tracks()
        if out:
            out[-1].events += self.spotter.forget(live)
        for r in out:
            self.events += r.events
        return out

    def finish(self) -> list[FrameResult]:
        """End of stream: flush, close open events and the last second."""
        out = self.flush()
        closing = self.spotter.flush()
        if out:
            out[-1].events += closing
        self.events += closing
        self.seconds += self.engagement.finish()
        return out

    @property
    def frame_period(self) -> float:
        """Median seconds between analysed frames (from the first 64), 0 before two frames."""
        return float(np.median(self._periods)) if self._periods else 0.0

    def result(self, video: dict | None = None, frames: list[FaceRecord] | None = None) -> AnalysisResult:
        period = self.frame_period
        still = self.stillness.still()
        tracks = [dataclasses.replace(t, still=t.track in still) for t in self.engagement.track_summaries(period)]
        return AnalysisResult(
            video=video or {},
            options=self.options.to_dict(),
            tracks=tracks,
            frames=frames or [],
            events=sorted((e for e in self.events if self._counted(e.onset)), key=lambda e: (e.onset, e.track)),
            seconds=self.seconds,
            readability=self.readability.result(),
        )

    def _counted(self, time: float) -> bool:
        return self.window is None or self.window[0] <= time < self.window[1]

    def close(self) -> None:
        if self._cnn_lane is not None:
            self._cnn_lane.shutdown(wait=True)
        if self._own_faces:
            self.faces.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- steps ------------------------------------------------------------------------------
    def _record(self, face: Face, track: int, index: int, time: float) -> FaceRecord:
        iod = face.inter_ocular
        record = FaceRecord(frame=index, time=time, track=track, box=face.box, score=face.score, inter_ocular=iod)
        if iod < self.options.min_inter_ocular:
            record.flags += ["eyes_unreadable", "small_face"]
            record.signals = self.heads.pose(track, face.box, time)
            if record.signals is not None:
                record.flags.append("head_only")
        elif face.landmarks is None:
            record.flags += ["eyes_unreadable", "no_landmarks"]
        else:
            record.eye_boxes = eye_boxes(face.eyes)
            read_eyes(self.eyes, record, face.landmarks, self._blinked)
        return record


def analyze_video(
    path,
    options: AnalysisOptions | None = None,
    on_progress: Callable[[float], None] | None = None,
    on_frame: Callable[[FrameResult], None] | None = None,
    classifier=None,
    keep_frames: bool = True,
    tuning: Tuning = DEFAULT_TUNING,
) -> AnalysisResult:
    """Analyse a whole video file. `on_progress(fraction)` is called after each analysed frame;
    `on_frame(result)` receives each completed FrameResult in order (for streaming writers);
    with `keep_frames=False` the result's `frames` list stays empty (constant memory)."""
    options = options or AnalysisOptions()
    reader = VideoReader(path, fps=options.fps, between=options.lids_between, prefetch=options.decode_ahead)
    frames: list[FaceRecord] = []
    total = max(reader.info.frame_count, 1)

    def emit(results: list[FrameResult]) -> None:
        for r in results:
            if keep_frames:
                frames.extend(r.faces)
            if on_frame is not None:
                on_frame(r)

    with SessionAnalyzer(options, classifier, tuning=tuning) as analyzer:
        for frame in reader:
            emit(analyzer.feed(frame))
            if on_progress is not None:
                on_progress(min(1.0, (frame.index + 1) / total))
        emit(analyzer.finish())
        if on_progress is not None:
            on_progress(1.0)
        video = {**reader.info.to_dict(), "decoded_frames": reader.decoded, "analysed_frames": analyzer.frames_analysed}
        return analyzer.result(video, frames)
