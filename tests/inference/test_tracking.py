"""Tracking step: stable anonymous IDs, gaps, new faces, shot cuts."""

from __future__ import annotations

import cv2
import numpy as np
from skimage import data

from inference.records import Box
from inference.tracking import IouTracker, SceneCuts


def test_two_moving_faces_keep_their_ids():
    tracker = IouTracker()
    ids = [tracker.update([Box(10 + 3 * i, 50, 40, 40), Box(300 - 4 * i, 60, 50, 50)], i / 10) for i in range(30)]
    assert all(frame == [1, 2] for frame in ids)


def test_order_of_detections_does_not_matter():
    tracker = IouTracker()
    a, b = Box(10, 10, 40, 40), Box(200, 10, 40, 40)
    assert tracker.update([a, b], 0.0) == [1, 2]
    assert tracker.update([b, a], 0.1) == [2, 1]


def test_short_gap_keeps_id_long_gap_opens_new_one():
    tracker = IouTracker(max_gap=1.0)
    box = Box(100, 100, 60, 60)
    assert tracker.update([box], 0.0) == [1]
    assert tracker.update([], 0.5) == []  # hand over the face
    assert tracker.update([Box(104, 102, 60, 60)], 0.9) == [1]
    assert tracker.update([Box(104, 102, 60, 60)], 2.5) == [2]  # gone too long: new anonymous ID


def test_fast_small_move_matches_by_distance_but_far_jump_does_not():
    tracker = IouTracker()
    tracker.update([Box(100, 100, 20, 20)], 0.0)
    assert tracker.update([Box(112, 100, 20, 20)], 0.1) == [1]  # IoU < 0.2, centre moved 0.6 box
    assert tracker.update([Box(300, 100, 20, 20)], 0.2) == [2]


def test_ids_are_never_reused_and_reset_ends_tracks():
    tracker = IouTracker()
    tracker.update([Box(0, 0, 10, 10)], 0.0)
    tracker.reset()
    assert tracker.update([Box(0, 0, 10, 10)], 0.1) == [2]


def test_scene_cut_between_different_photos_only():
    cuts = SceneCuts()
    astronaut = cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR)
    cat = cv2.resize(cv2.cvtColor(data.chelsea(), cv2.COLOR_RGB2BGR), (512, 512))
    rng = np.random.default_rng(0)
    noisy = np.clip(astronaut + rng.normal(0, 6, astronaut.shape), 0, 255).astype(np.uint8)
    brighter = cv2.convertScaleAbs(astronaut, alpha=1.0, beta=12)
    shifted = np.roll(astronaut, 15, axis=1)
    assert cuts(astronaut) is False  # first frame
    assert [cuts(noisy), cuts(brighter), cuts(shifted)] == [False, False, False]
    assert cuts(cat) is True
    assert cuts(cat) is False
