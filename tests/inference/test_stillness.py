"""Still images among the tracks: a picture's landmarks jitter by the mesh's noise only, a person moves
and blinks (synthetic landmark sequences, fed as the pipeline feeds them)."""

from __future__ import annotations

import numpy as np
import pytest

from inference.stillness import StillCounts, StillnessMeter, is_still, merge
from inference.tuning import DEFAULT_STILLNESS

FPS = 10
IOD = 60.0  # pixels between the eyes
RNG = np.random.default_rng(7)
FACE = RNG.uniform(0, 2.5 * IOD, size=(478, 3))  # a face-sized cloud of landmarks
BAND = RNG.uniform(40, 200, size=(24, 64))


def feed(meter: StillnessMeter, track: int, seconds: float, motion=lambda t: (0.0, 0.0), blink_every=None):
    """`seconds` of frames: the face moved by `motion(t)` pixels plus 0.3 px of landmark jitter and a
    grey level of band noise; a blink (and a changed band) every `blink_every` s."""
    for i in range(int(seconds * FPS)):
        t = i / FPS
        points = FACE + RNG.normal(0, 0.3, FACE.shape)
        points[:, :2] += motion(t)
        blink = blink_every is not None and i % int(blink_every * FPS) == int(blink_every * FPS) - 1
        meter.add(track, t, points, IOD, blink)
        band = BAND + RNG.normal(0, 1.0, BAND.shape) + (60.0 if blink else 0.0)
        meter.appearance(track, band + 8 * np.sin(t) * (motion(t) != (0.0, 0.0)))


def test_a_face_that_only_jitters_by_noise_is_still():
    meter = StillnessMeter()
    feed(meter, 1, seconds=15)
    assert meter.still() == {1}
    counts = meter.counts()[1]
    assert counts.blinks == 0 and counts.moves <= DEFAULT_STILLNESS.max_move_share * counts.frames


def test_a_person_with_small_head_motion_and_blinks_is_not_still():
    meter = StillnessMeter()
    sway = lambda t: (3.0 * np.sin(2 * np.pi * t / 4), 1.5 * np.sin(2 * np.pi * t / 7))  # a few pixels
    feed(meter, 2, seconds=15, motion=sway, blink_every=4.0)
    assert meter.still() == set()
    assert meter.counts()[2].moves > DEFAULT_STILLNESS.max_move_share * meter.counts()[2].frames


def test_a_person_sitting_perfectly_still_is_kept_because_they_blink():
    meter = StillnessMeter()
    feed(meter, 3, seconds=15, blink_every=5.0)
    assert meter.still() == set()


def test_a_picture_that_drifts_across_the_frame_is_not_called_still():
    # a photo held in a hand, or a panning camera: motion alone says "not still" (the safe side)
    meter = StillnessMeter()
    feed(meter, 4, seconds=15, motion=lambda t: (4.0 * t, 0.0))
    assert meter.still() == set()


def test_a_picture_seen_for_a_few_seconds_only_is_not_judged():
    meter = StillnessMeter()
    feed(meter, 5, seconds=DEFAULT_STILLNESS.min_seconds / 2)
    assert meter.still() == set()


def test_each_track_is_judged_on_its_own():
    meter = StillnessMeter()
    feed(meter, 1, seconds=12)
    feed(meter, 2, seconds=12, blink_every=3.0, motion=lambda t: (2.0 * np.sin(t), 0.0))
    assert meter.still() == {1}


def test_forgetting_a_gone_track_keeps_its_counts():
    meter = StillnessMeter()
    feed(meter, 1, seconds=12)
    meter.forget(set())
    assert meter.still() == {1} and meter._refs == {}


def test_chunk_counts_add_up_to_one_track():
    half = StillCounts(first=0.0, last=5.0, frames=50, moves=0, bands=49, changes=1, blinks=0)
    other = StillCounts(first=5.1, last=12.0, frames=70, moves=1, bands=69, changes=0, blinks=0)
    assert not is_still(half)  # 5 s alone is too short to tell
    merged = merge([{1: half}, {1: other}])[1]
    assert (merged.first, merged.last, merged.frames, merged.moves) == (0.0, 12.0, 120, 1)
    assert is_still(merged)
    assert not is_still(StillCounts(**{**merged.to_dict(), "blinks": 1}))


@pytest.mark.parametrize("field", ["moves", "changes"])
def test_a_track_that_moves_or_changes_often_is_not_still(field):
    counts = StillCounts(first=0.0, last=20.0, frames=200, bands=199)
    setattr(counts, field, 60)
    assert not is_still(counts)
