"""Tracking step: stable anonymous IDs, gaps, new faces, shot cuts, a lens covered for a moment."""

from __future__ import annotations

import cv2
import numpy as np
from skimage import data

from inference.records import Box
from inference.tracking import IouTracker, SceneCuts
from inference.tuning import TrackingConfig


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
    tracker = IouTracker(max_gap=1.0, config=TrackingConfig(relink_within=0.0))
    box = Box(100, 100, 60, 60)
    assert tracker.update([box], 0.0) == [1]
    assert tracker.update([], 0.5) == []  # hand over the face
    assert tracker.update([Box(104, 102, 60, 60)], 0.9) == [1]
    assert tracker.update([Box(104, 102, 60, 60)], 2.5) == [2]  # gone too long: new anonymous ID


def test_a_live_stream_that_paused_carries_its_tracks_over_the_pause():
    box, frame = Box(100, 100, 60, 60), face_frame({(100, 100): SKIN})
    paused, unpaused = IouTracker(max_gap=1.5), IouTracker(max_gap=1.5)
    for tracker in (paused, unpaused):
        for i in range(10):
            tracker.update([box], i / 10, frame)
        tracker.update([], 1.4, frame)  # the face was already hidden as the page left
    paused.carry_over(60.0)  # back a minute later
    assert paused.update([Box(104, 102, 60, 60)], 60.0, frame) == [1]
    assert unpaused.update([Box(104, 102, 60, 60)], 60.0, frame) == [2]  # without: a second student
    assert paused.update([Box(104, 102, 60, 60)], 60.1, frame) == [1]


def face_frame(faces: dict[tuple[int, int], np.ndarray]) -> np.ndarray:
    """A grey 640x360 frame with each 60x60 colour patch ("face") at its (x, y)."""
    frame = np.full((360, 640, 3), 128, np.uint8)
    for (x, y), patch in faces.items():
        frame[y : y + 60, x : x + 60] = patch
    return frame


SKIN, OTHER = np.full((60, 60, 3), (90, 140, 200), np.uint8), np.full((60, 60, 3), (200, 80, 40), np.uint8)


def test_a_student_hidden_for_seconds_comes_back_as_the_same_student():
    tracker = IouTracker(max_gap=1.5)
    frame = face_frame({(100, 100): SKIN, (400, 100): OTHER})
    assert tracker.update([Box(100, 100, 60, 60), Box(400, 100, 60, 60)], 0.0, frame) == [1, 2]
    hidden = face_frame({(400, 100): OTHER})
    for t in np.arange(0.1, 2.6, 0.1):  # a neighbour leans in front of student 1 for 2.5 s
        assert tracker.update([Box(400, 100, 60, 60)], float(t), hidden) == [2]
    assert 1 in tracker.alive  # its eye and spotting state are kept meanwhile
    assert tracker.update([Box(106, 104, 60, 60), Box(400, 100, 60, 60)], 2.7, frame) == [1, 2]


def test_someone_else_in_the_same_place_is_a_new_student():
    tracker = IouTracker(max_gap=1.0)
    tracker.update([Box(100, 100, 60, 60)], 0.0, face_frame({(100, 100): SKIN}))
    assert tracker.update([Box(100, 100, 60, 60)], 2.0, face_frame({(100, 100): OTHER})) == [2]


def test_a_face_elsewhere_or_too_late_is_not_relinked():
    tracker = IouTracker(max_gap=1.0, config=TrackingConfig(relink_within=4.0))
    tracker.update([Box(100, 100, 60, 60)], 0.0)
    assert tracker.update([Box(300, 100, 60, 60)], 2.0) == [2]  # far from where student 1 was
    assert tracker.update([Box(100, 100, 60, 60)], 4.5) == [3]  # student 1 ended more than 4 s ago


def test_a_cut_ends_relinking():
    tracker = IouTracker(max_gap=1.0)
    tracker.update([Box(100, 100, 60, 60)], 0.0)
    tracker.update([], 1.5)  # track 1 ended, may still be re-linked
    tracker.suspend(1.6)
    assert tracker.update([Box(100, 100, 60, 60)], 1.7) == [2]


def test_fast_small_move_matches_by_distance_but_far_jump_does_not():
    tracker = IouTracker()
    tracker.update([Box(100, 100, 20, 20)], 0.0)
    assert tracker.update([Box(112, 100, 20, 20)], 0.1) == [1]  # IoU < 0.2, centre moved 0.6 box
    assert tracker.update([Box(300, 100, 20, 20)], 0.2) == [2]


def test_suspended_tracks_resume_with_their_ids_and_drop_faces_seen_in_between():
    tracker = IouTracker()
    assert tracker.update([Box(100, 100, 40, 40), Box(300, 100, 40, 40)], 0.0) == [1, 2]
    tracker.suspend(0.1)  # someone walks past the lens
    assert tracker.update([Box(500, 50, 200, 200)], 0.1) == [3]
    tracker.suspend(0.2)  # a second "cut" as they leave keeps the first shot's tracks
    assert tracker.alive == {1, 2}
    tracker.resume()
    assert tracker.update([Box(305, 102, 40, 40), Box(102, 98, 40, 40)], 0.3) == [2, 1]
    assert tracker.alive == {1, 2}


def test_suspended_tracks_never_resumed_give_way_to_new_ids_never_reused():
    tracker = IouTracker(max_gap=1.0)
    tracker.update([Box(100, 100, 40, 40)], 0.0)
    tracker.suspend(0.1)
    assert tracker.update([Box(100, 100, 40, 40)], 0.2) == [2]  # a real cut: same place, new person
    tracker.suspend(1.1)  # track 1, aside since 0.0, has expired: this cut sets aside track 2
    assert tracker.alive == {2}
    tracker.resume()
    assert tracker.update([Box(100, 100, 40, 40)], 1.2) == [2]


ASTRONAUT = cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR)


def covered(image: np.ndarray) -> np.ndarray:
    """A shirt filling most of the frame, as when a person walks past the lens."""
    out = image.copy()
    out[:, 60:] = (200, 190, 185)
    return cv2.GaussianBlur(out, (31, 31), 0)


def test_scene_cut_between_different_photos_only():
    cuts = SceneCuts()
    cat = cv2.resize(cv2.cvtColor(data.chelsea(), cv2.COLOR_RGB2BGR), (512, 512))
    rng = np.random.default_rng(0)
    noisy = np.clip(ASTRONAUT + rng.normal(0, 6, ASTRONAUT.shape), 0, 255).astype(np.uint8)
    brighter = cv2.convertScaleAbs(ASTRONAUT, alpha=1.0, beta=12)
    shifted = np.roll(ASTRONAUT, 15, axis=1)
    assert cuts(ASTRONAUT, 0.0) is None  # first frame
    assert [cuts(noisy, 0.1), cuts(brighter, 0.2), cuts(shifted, 0.3)] == [None, None, None]
    assert cuts(cat, 0.4) == "cut"
    assert [cuts(cat, t) for t in (0.5, 0.6, 0.7)] == [None, None, None]


def test_the_shot_coming_back_after_the_lens_was_covered_is_not_a_new_shot():
    cuts = SceneCuts(max_return=1.5)
    assert [cuts(ASTRONAUT, 0.0), cuts(ASTRONAUT, 0.1)] == [None, None]
    assert cuts(covered(ASTRONAUT), 0.2) == "cut"
    assert cuts(covered(ASTRONAUT), 0.3) is None
    assert cuts(np.roll(ASTRONAUT, 20, axis=1), 0.4) == "back"  # the camera moved meanwhile
    assert cuts(ASTRONAUT, 0.5) is None


def test_a_shot_coming_back_too_late_is_a_new_cut():
    cuts = SceneCuts(max_return=1.5)
    cuts(ASTRONAUT, 0.0)
    assert cuts(covered(ASTRONAUT), 0.1) == "cut"
    assert cuts(covered(ASTRONAUT), 1.0) is None
    assert cuts(ASTRONAUT, 1.7) == "cut"
