"""What an analysis is run with: `AnalysisOptions`, and the service's two sets of them (uploads, live).

The options are the user-facing choices and budgets (rate, tiles, landmark passes, batching); the
tuned numbers of the signal steps are in inference/tuning.py.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Self

from .faces import MIN_INTER_OCULAR
from .records import Record


@dataclass
class AnalysisOptions(Record):
    fps: float | None = None  # analysis rate; None = every frame (best for micro-expression spotting)
    tiles: tuple[int, int] | str = (1, 1)  # detector tiles (columns, rows) or "auto"; see faces.py, docs/methods.md
    # the per-frame landmark budget: Face Mesh passes on crops around faces the full-frame mesh did not
    # read; when a frame holds more faces they rotate, least recently read first (inference/schedule.py)
    # (6: on the 720p classroom clip, more passes read hardly more faces; docs/methods.md)
    landmark_passes: int = 6
    min_confidence: float = 0.5
    min_inter_ocular: float = MIN_INTER_OCULAR  # pixels; below: eyes_unreadable
    emotions: bool = True  # run the eye CNN (needs weights)
    spotting: bool = True
    # CNN batching: a bigger batch costs less per band, at the price of results waiting longer
    batch_size: int = 128  # bands per CNN call
    max_delay: int = 96  # frames a result may wait for its batch (~3 s at 30 fps; `process` never waits)
    track_max_gap: float = 1.5  # seconds a track survives unseen
    lite_cnn: bool = True  # run the eye CNN through TensorFlow Lite (same outputs, checked; faster)
    # Average each band with its mirror image: doubles the CNN work for a small per-frame accuracy gain
    # (docs/model.md). Off for video: the per-second emotion mix averages many frames anyway.
    # `evaluate` and `predict` do average.
    flip_tta: bool = False
    overlap_cnn: bool = True  # classify a batch in a thread while the next frames' faces are found (2+ cores)
    # frames decoded ahead in a thread of their own while the analysis works (2+ cores; 0: no thread);
    # two are enough to keep the decoder one frame ahead, and bound the memory to two frames
    decode_ahead: int = 2
    face_threads: int = 2  # MediaPipe lanes (see faces.MediaPipeFaces); 1 = everything on the calling thread
    # Read the lids of faces with landmarks on the frames between analysed ones too (a crop mesh per face
    # and frame), so a blink of one or two frames is not missed at a sampled rate; the CNN, spotting
    # and the records stay at `fps`. Costs a decode of every frame and a landmark pass per face.
    lids_between: bool = True
    # ...for faces with at least this many pixels between the eyes: there the lid gap is a few pixels and a
    # blink stands clear of the mesh's noise; a room of small faces keeps the sampled rate (and its cost)
    lids_between_min_iod: float = 32.0
    keep_images: bool = field(default=False, metadata={"skip": True})  # attach frames to results

    @classmethod
    def from_dict(cls, data: dict) -> Self:
        """Options from JSON (e.g. a job's settings); unknown keys are an error, not ignored."""
        known = {f.name for f in dataclasses.fields(cls)} | {"max_faces"}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown analysis options: {', '.join(unknown)}")
        data = dict(data)
        if "max_faces" in data:  # the budget's name in settings stored before it rotated
            data.setdefault("landmark_passes", data.pop("max_faces"))
        if isinstance(data.get("tiles"), list):
            data["tiles"] = tuple(data["tiles"])
        return cls(**data)


# The one source of the service's analysis options: uploads, `analyze`, `benchmark` and live frames.
# 10 analysed frames a second keep a micro-expression (<= 0.5 s) on 5 frames for a third of the work
# of a 30 fps video, and score as well on the labelled clips as every frame (docs/methods.md).
UPLOAD_FPS = 10.0


def upload_options(**overrides) -> AnalysisOptions:
    """What a recorded video is analysed with (the upload worker, `analyze`, `benchmark`): detector tiles
    find a classroom camera's small faces, and rest while a close-up face fills the frame."""
    return AnalysisOptions(**{"fps": UPLOAD_FPS, "tiles": "auto", **overrides})


def live_options(**overrides) -> AnalysisOptions:
    """What live camera frames are analysed with: the upload options, every frame that arrives (the
    page already sends a few per second) on the full frame only, since detector tiles would add their
    cost to every frame's latency."""
    return upload_options(**{"fps": None, "tiles": (1, 1), **overrides})
