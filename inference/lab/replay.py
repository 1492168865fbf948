"""Capture an analysis once, replay its tuned steps many times: what makes cross-validation cheap.

Detection, landmarks, tracks, the cut eye bands and the CNN's probabilities do not depend on the
tuned numbers (inference/tuning.py); eye signals, blinks and spotting do. `capture` runs the real
pipeline on a clip and keeps, per face, what the fixed steps produced; `replay` runs the tuned steps
again from those with any `Tuning`, through the same functions the pipeline calls (`read_eyes`,
`spot`), and gives the result dict the scorer reads. The trade-off: a capture holds every read band
(a few kB a face), so it is for short labelled clips, not for a lesson.
"""

from __future__ import annotations

import copy
import hashlib
import json
import pickle
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from inference.eyesignals import EyeSignalEstimator
from inference.pipeline import AnalysisOptions, SessionAnalyzer, read_between, read_eyes, spot
from inference.records import FaceRecord
from inference.spotting import Spotter
from inference.tuning import Tuning
from inference.video import VideoReader

EYE_FLAGS = ("eyes_closed", "blink", "wink")  # raised by the tuned eye step; the rest are fixed


@dataclass
class Seen:
    """One face of one analysed frame as the fixed steps left it."""

    record: FaceRecord  # without the tuned eye step's signals and flags
    landmarks: np.ndarray | None = None  # set where the eye step measured the face
    band: np.ndarray | None = None  # set where the eye region was read (and spotted)
    probs: np.ndarray | None = None


@dataclass
class Capture:
    frames: list[tuple[int, list[Seen]]] = field(default_factory=list)  # (frame index, faces), in order
    batch_ends: dict[int, set[int]] = field(default_factory=dict)  # last frame of a CNN batch -> live tracks
    tracks: list[dict] = field(default_factory=list)  # the result's track summaries (fixed steps only)
    # lids read between analysed frames: (analysed frames before it, track, landmarks, time)
    between: list[tuple[int, int, np.ndarray, float]] = field(default_factory=list)
    pipeline: dict = field(default_factory=dict)  # the real run's `events` and `frames`, to check replay by

    @property
    def analysed(self) -> list[int]:
        return [index for index, _ in self.frames]


class _Capturing(SessionAnalyzer):
    """The pipeline, noting what each face's fixed steps gave before the tuned ones run."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.capture = Capture()
        self._seen: dict[int, Seen] = {}

    def _record(self, face, track, index, time):
        record = super()._record(face, track, index, time)
        self._seen[id(record)] = Seen(record, face.landmarks if record.signals is not None else None)
        return record

    def _read_between(self, track, landmarks, time):
        self.capture.between.append((self.frames_analysed, track, landmarks, time))
        super()._read_between(track, landmarks, time)

    def _complete(self, batch, live, probs):
        k = 0
        for p in batch:
            for record, band in zip(p.read, p.bands):
                seen = self._seen[id(record)]
                seen.band, seen.probs = band, None if probs is None else probs[k]
                k += 1
        done = super()._complete(batch, live, probs)
        for p in batch:
            faces = [self._seen.pop(id(r)) for r in p.result.faces]
            for seen in faces:  # the record as the fixed steps left it (probabilities included)
                fixed = seen.record = copy.copy(seen.record)
                fixed.flags = [f for f in fixed.flags if f not in EYE_FLAGS]
                if "head_only" not in fixed.flags:  # a small face's head pose is no tuned step's output
                    fixed.signals = None
            self.capture.frames.append((p.result.frame, faces))
        if batch:
            self.capture.batch_ends[batch[-1].result.frame] = set(live)
        return done


def capture(path, options: AnalysisOptions, classifier) -> Capture:
    reader = VideoReader(path, fps=options.fps, between=options.lids_between, prefetch=options.decode_ahead)
    done = []
    with _Capturing(options, classifier) as analyzer:
        for frame in reader:
            done += analyzer.feed(frame)
        done += analyzer.finish()
        frames = [face for r in done for face in r.faces]
        result = analyzer.result(frames=frames).to_dict()
        analyzer.capture.tracks = result["tracks"]
        analyzer.capture.pipeline = {"events": result["events"], "frames": result["frames"]}
        return analyzer.capture


def cached_capture(path: Path, options: AnalysisOptions, classifier, weights: str, cache: Path | None) -> Capture:
    """`capture`, kept in `cache` under a key of the clip, the options and the weights file."""
    if cache is None:
        return capture(path, options, classifier)
    stamp = [str(path), path.stat().st_size, options.to_dict(), weights, Path(weights).stat().st_mtime]
    key = hashlib.sha256(json.dumps(stamp, sort_keys=True, default=str).encode()).hexdigest()[:16]
    file = cache / f"{path.stem}-{key}.pkl"
    if file.exists():
        return pickle.loads(file.read_bytes())
    made = capture(path, options, classifier)
    cache.mkdir(parents=True, exist_ok=True)
    file.write_bytes(pickle.dumps(made, protocol=pickle.HIGHEST_PROTOCOL))
    return made


def replay_eyes(capture: Capture, tuning: Tuning) -> list[tuple[int, list[tuple[FaceRecord, Seen]]]]:
    """The tuned eye step over a capture: per frame, each face's record with its signals and flags."""
    eyes, out, blinked, between = EyeSignalEstimator(tuning.eyes), [], set(), iter(capture.between)
    reading = next(between, None)
    for position, (index, faces) in enumerate(capture.frames):
        while reading is not None and reading[0] <= position:
            read_between(eyes, blinked, *reading[1:])
            reading = next(between, None)
        records = []
        for seen in faces:
            record = copy.copy(seen.record)
            record.flags = list(seen.record.flags)
            if seen.landmarks is not None:
                read_eyes(eyes, record, seen.landmarks, blinked)
            records.append((record, seen))
        out.append((index, records))
    return out


def replay(capture: Capture, tuning: Tuning, eyes_read=None, spotting: bool = True, frame_dicts=None) -> dict:
    """The result dict (`frames`, `events`, `tracks`) the pipeline would give with `tuning`;
    `eyes_read`: `replay_eyes(capture, tuning)` where it was already run; `frame_dicts`: its records as
    dicts, where already made (the spotter does not change them, and making them is half a replay)."""
    frames = eyes_read if eyes_read is not None else replay_eyes(capture, tuning)
    spotter, events = Spotter(tuning.spotter), []
    for index, records in frames:
        if spotting:
            for record, seen in records:
                if seen.band is not None:
                    events += spot(spotter, record, seen.band, seen.probs)
        if spotting and index in capture.batch_ends:
            events += spotter.forget(capture.batch_ends[index])
    if spotting:
        events += spotter.flush()
    return {
        "frames": frame_dicts if frame_dicts is not None else frame_records(frames),
        "events": [e.to_dict() for e in sorted(events, key=lambda e: (e.onset, e.track))],
        "tracks": capture.tracks,
    }


def frame_records(eyes_read) -> list[dict]:
    """The face records of `replay_eyes`'s frames, as the result dict holds them."""
    return [record.to_dict() for _, records in eyes_read for record, _ in records]


def replays_pipeline(capture: Capture, tuning: Tuning) -> bool:
    """Replay with the tuning the capture ran with gives the pipeline's own events and flags."""
    again = replay(capture, tuning)
    flags = [(f["frame"], f["track"], f["flags"]) for f in again["frames"]]
    real = [(f["frame"], f["track"], f["flags"]) for f in capture.pipeline["frames"]]
    return again["events"] == capture.pipeline["events"] and flags == real
