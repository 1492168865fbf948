"""Analysis results shaped exactly like the pipeline's (built from inference.records), for storage tests."""

from __future__ import annotations

import numpy as np

from eyeclass.classrooms.models import Classroom
from eyeclass.lectures.models import Session
from inference.labels import LABELS, MIX_LABELS
from inference.records import AnalysisResult, Event, Readability, SecondAggregate, TrackSummary


def make_result(
    seconds: int = 60, tracks: int = 3, dip: tuple[int, int] | None = None, seed: int = 0, head_only: bool = False
) -> AnalysisResult:
    """`head_only`: a room camera's faces, too small for their eyes: facing known, nothing from the eyes."""
    rng = np.random.default_rng(seed)
    rows = []
    for s in range(seconds):
        mix, probs = rng.dirichlet(np.ones(len(MIX_LABELS))), rng.dirichlet(np.ones(len(LABELS)))
        engagement = 0.2 if dip and dip[0] <= s <= dip[1] else 0.8
        rows.append(
            SecondAggregate(
                second=s,
                faces_present=float(tracks),
                readable=0.0 if head_only else float(tracks),
                oriented=float(tracks),
                facing_fraction=0.9,
                perclos=None if head_only else 0.05,
                blinks=0 if head_only else int(s % 4 == 0),
                engagement=engagement,
                emotion_mix=None if head_only else dict(zip(MIX_LABELS, mix.tolist())),
                tracks={str(t): engagement for t in range(1, tracks + 1)},
                emotion_probs=None if head_only else dict(zip(LABELS, probs.tolist())),
            )
        )
    summaries = [
        TrackSummary(
            track=t,
            first_time=0.0,
            last_time=seconds - 0.1,
            frames=seconds * 10,
            readable_frames=seconds * 9,
            blinks=seconds // 4,
            blink_rate_per_min=15.0,
            perclos=0.05,
            facing_fraction=0.9,
            engagement=0.75,
            emotion_mix={**dict.fromkeys(MIX_LABELS, 0.1), "happy": 0.3},
            emotion_probs={**dict.fromkeys(LABELS, 0.1), "happy": 0.4},
        )
        for t in range(1, tracks + 1)
    ]
    events = [
        Event(
            track=1,
            onset=10.0,
            apex=10.2,
            offset=10.4,
            duration=0.4,
            onset_frame=100,
            apex_frame=102,
            offset_frame=104,
            kind="micro",
            label="surprise",
            strength=4.2,
        ),
        Event(
            track=2,
            onset=30.0,
            apex=30.5,
            offset=31.5,
            duration=1.5,
            onset_frame=300,
            apex_frame=305,
            offset_frame=315,
            kind="macro",
            label=None,
            strength=3.1,
        ),
    ]
    video = {"path": "x.mp4", "width": 640, "height": 360, "fps": 10.0, "frame_count": seconds * 10}
    events = [] if head_only else events
    return AnalysisResult(video=video, options={}, tracks=summaries, frames=[], events=events, seconds=rows)


def readability_saying(summary: str) -> Readability:
    """A readability record whose counts are all zero: only its sentence for the teacher matters."""
    counts = dict.fromkeys(("analysed_frames", "face_records", "readable_records", "small_face", "no_landmarks"), 0)
    return Readability(
        **counts,
        faces_per_frame=0.0,
        readable_per_frame=0.0,
        turned_away=0,
        head_turned=0,
        small_face_inter_ocular=None,
        min_inter_ocular=12.0,
        summary=summary,
    )


def make_session(teacher, title: str = "Week 1", classroom: Classroom | None = None, **fields) -> Session:
    classroom = classroom or Classroom.objects.get_or_create(teacher=teacher, name="Physics")[0]
    return Session.objects.create(classroom=classroom, title=title, **fields)


def done_session(teacher, **kwargs) -> Session:
    session = make_session(teacher)
    session.store_results(make_result(**kwargs))
    return session
