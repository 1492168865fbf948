"""Eye signals: EAR openness, adaptive closed/blink, head pose, iris gaze."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from skimage import data

from inference.eyesignals import (
    DEFAULT_OPEN_EAR,
    EAR_IMG_LEFT,
    EAR_IMG_RIGHT,
    EyeSignalEstimator,
    eye_aspect_ratio,
    gaze,
    head_pose,
)
from inference.faces import MediaPipeFaces
from tests.landmarks import synthetic_face


def test_eye_aspect_ratio_matches_construction():
    lm = synthetic_face(ear=0.3)
    assert eye_aspect_ratio(lm, EAR_IMG_LEFT) == pytest.approx(0.3)
    assert eye_aspect_ratio(synthetic_face(ear=0.05), EAR_IMG_RIGHT) == pytest.approx(0.05)


def test_eye_aspect_ratio_is_measured_in_3d_so_a_turned_eye_is_not_wider_open():
    lm = synthetic_face(ear=0.3)
    idx = list(EAR_IMG_LEFT)
    centre = lm[idx].mean(axis=0)
    a = np.radians(50.0)
    turn = np.array([[np.cos(a), 0, np.sin(a)], [0, 1, 0], [-np.sin(a), 0, np.cos(a)]], np.float32)
    lm[idx] = (lm[idx] - centre) @ turn.T + centre  # the eye seen 50 degrees from the side
    flat = lm.copy()
    flat[:, 2] = 0.0
    assert eye_aspect_ratio(flat, EAR_IMG_LEFT) > 0.4  # in the image alone: 0.3 / cos 50
    assert eye_aspect_ratio(lm, EAR_IMG_LEFT) == pytest.approx(0.3, abs=1e-4)


@pytest.mark.parametrize("yaw", [-40.0, 0.0, 25.0])
def test_yaw_and_frontal_pitch_from_3d_landmarks(yaw):
    y, pitch, roll = head_pose(synthetic_face(yaw=yaw))
    assert y == pytest.approx(yaw, abs=0.5)
    assert pitch == pytest.approx(0.0, abs=1.0) and roll == pytest.approx(0.0, abs=0.5)


def test_gaze_follows_the_iris():
    assert gaze(synthetic_face())[0] == pytest.approx(0.0, abs=1e-6)
    gx, gy = gaze(synthetic_face(iris_dx=5.0))  # 5 px in a 10 px half-width
    assert gx == pytest.approx(0.5) and gy == pytest.approx(0.0, abs=1e-6)
    assert gaze(synthetic_face(iris_dx=-3.0))[0] == pytest.approx(-0.3)


def _feed(est, ears, fps=30.0, track=1):
    return [est.measure(track, synthetic_face(ear=e), i / fps) for i, e in enumerate(ears)]


def test_short_closure_is_a_blink_and_long_closure_is_not():
    est = EyeSignalEstimator()
    ears = [0.3] * 30 + [0.05] * 5 + [0.3] * 30 + [0.06] * 40 + [0.3] * 10
    out = _feed(est, ears)
    closed = [s.eyes_closed for s in out]
    assert closed[30:35] == [True] * 5 and not any(closed[35:65])
    assert [i for i, s in enumerate(out) if s.blink] == [35]  # the re-opening frame of the short one
    assert all(closed[65:105]) and not any(s.blink for s in out[66:])


def test_closed_threshold_adapts_to_each_face():
    """A face whose eyes are narrow when open (EAR 0.18) is not read as closed; 0.08 is."""
    est = EyeSignalEstimator()
    out = _feed(est, [0.18] * 40 + [0.08] * 3 + [0.18] * 3)
    assert not any(s.eyes_closed for s in out[:40]) and all(s.eyes_closed for s in out[40:43])
    assert out[43].blink


def test_state_is_per_track_and_forgotten():
    est = EyeSignalEstimator()
    _feed(est, [0.3] * 30, track=1)
    _feed(est, [0.2] * 30, track=2)
    assert est.open_level(1) == pytest.approx(0.3) and est.open_level(2) == pytest.approx(0.2)
    est.forget({2})
    assert est.open_level(1) == DEFAULT_OPEN_EAR and est.open_level(2) == pytest.approx(0.2)


def test_real_photo_pose_signs():
    """Astronaut: open eyes; a mirrored copy flips yaw and roll; a 15 deg rotation shows in roll."""
    photo = cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR)
    mirrored = np.ascontiguousarray(photo[:, ::-1])
    rotated = cv2.warpAffine(photo, cv2.getRotationMatrix2D((230, 130), -15, 1.0), (512, 512))
    with MediaPipeFaces(video=False) as finder:
        lms = [finder(img)[0].landmarks for img in (photo, mirrored, rotated)]
    est = EyeSignalEstimator()
    s = est.measure(1, lms[0], 0.0)
    assert s.openness_left > 0.2 and s.openness_right > 0.2 and not s.eyes_closed
    (y0, p0, r0), (y1, _, r1), (_, _, r2) = (head_pose(lm) for lm in lms)
    assert abs(y0) < 10 and abs(p0) < 10  # a frontal portrait
    assert y1 == pytest.approx(-y0, abs=3) and r1 == pytest.approx(-r0, abs=1.5)
    assert r2 - r0 == pytest.approx(15, abs=3)
    assert abs(gaze(lms[0])[0]) < 0.3


def test_a_wink_is_neither_a_closure_nor_a_blink():
    est = EyeSignalEstimator()
    open_face, wink = synthetic_face(ear=0.3), synthetic_face(ear=0.3)
    wink[list(EAR_IMG_LEFT), :2] = synthetic_face(ear=0.02)[list(EAR_IMG_LEFT), :2]  # one eye shut
    t, signals = 0.0, []
    for face in [open_face] * 30 + [wink] * 6 + [open_face] * 5:
        signals.append(est.measure(1, face, t))
        t += 1 / 30
    assert signals[32].openness_left < 0.05 and signals[32].openness_right == pytest.approx(0.3)
    assert not any(s.eyes_closed or s.blink for s in signals)
    assert [i for i, s in enumerate(signals) if s.wink] == list(range(30, 36))


@pytest.mark.parametrize(("yaw", "read_as_wink"), [(10.0, True), (-15.0, True), (30.0, False), (-45.0, False)])
def test_one_eye_narrower_is_a_wink_only_with_the_head_near_frontal(yaw, read_as_wink):
    # a turned head foreshortens the far eye: the same asymmetry is then no evidence of a wink
    est = EyeSignalEstimator()
    open_face, uneven = synthetic_face(ear=0.3, yaw=yaw), synthetic_face(ear=0.3, yaw=yaw)
    uneven[list(EAR_IMG_LEFT), :2] = synthetic_face(ear=0.1)[list(EAR_IMG_LEFT), :2]
    signals = [est.measure(1, face, i / 30) for i, face in enumerate([open_face] * 30 + [uneven] * 4)]
    assert [s.wink for s in signals[30:]] == [read_as_wink] * 4
    assert not any(s.eyes_closed or s.blink for s in signals)


@pytest.mark.parametrize(
    ("pose", "read"),
    [
        ({"pitch": -15.0}, True),
        ({"pitch": -35.0}, False),
        ({"yaw": 45.0}, False),
        ({"yaw": 24.0, "pitch": -20.0}, False),
    ],
)
def test_lids_are_read_only_with_the_head_within_the_facing_limits(pose, read):
    # a bowed head shows the lids from above: lowered over a downward look, they pass for closed
    est = EyeSignalEstimator()
    faces = [synthetic_face(ear=0.3)] * 30 + [synthetic_face(ear=0.08, **pose)] * 6 + [synthetic_face(ear=0.3)] * 3
    signals = [est.measure(1, face, i / 30) for i, face in enumerate(faces)]
    assert head_pose(faces[30])[1] == pytest.approx(pose.get("pitch", 0.0), abs=1.0)
    assert [s.eyes_closed for s in signals[30:36]] == [True if read else None] * 6
    assert [s.blink for s in signals[36:]] == [read, False, False]
    assert est.open_level(1) == pytest.approx(0.3)


def test_both_eyes_shut_at_the_end_of_a_wink_is_the_wink_not_a_blink():
    est = EyeSignalEstimator()
    open_face, wink, shut = synthetic_face(ear=0.3), synthetic_face(ear=0.3), synthetic_face(ear=0.02)
    wink[list(EAR_IMG_LEFT), :2] = shut[list(EAR_IMG_LEFT), :2]
    t, signals = 0.0, []
    for face in [open_face] * 30 + [wink] * 6 + [shut] * 4 + [open_face] * 30 + [shut] * 4 + [open_face] * 5:
        signals.append(est.measure(1, face, t))
        t += 1 / 30
    assert all(s.eyes_closed for s in signals[36:40])
    assert [i for i, s in enumerate(signals) if s.blink] == [74]  # the later closure only


def test_both_eyes_shut_briefly_is_still_a_blink():
    est = EyeSignalEstimator()
    t, signals = 0.0, []
    for ear in [0.3] * 30 + [0.03] * 6 + [0.3] * 5:
        signals.append(est.measure(1, synthetic_face(ear=ear), t))
        t += 1 / 30
    assert sum(s.blink for s in signals) == 1 and signals[33].eyes_closed


def test_a_closure_longer_than_the_level_window_stays_closed():
    """The open level is learnt from open frames only: 5 s of shut eyes do not become the new "open"."""
    est = EyeSignalEstimator()
    out = _feed(est, [0.3] * 60 + [0.06] * 150 + [0.3] * 10)
    assert all(s.eyes_closed for s in out[60:210]) and not any(s.eyes_closed for s in out[211:])
    assert not any(s.blink for s in out)


def test_lids_hovering_near_the_threshold_are_one_closure_not_a_string_of_blinks():
    """A downward look: the lids sink to around the closed threshold and wobble there."""
    est = EyeSignalEstimator()
    hover = [0.17, 0.19, 0.17, 0.19] * 6  # 0.57x-0.63x of the open 0.3: above 0.6 and below 0.7
    out = _feed(est, [0.3] * 30 + [0.1] + hover + [0.3] * 10)
    assert all(s.eyes_closed for s in out[30:55])
    assert [s.blink for s in out].count(True) == 0  # one closure of 0.8 s: not a blink either


def test_a_blink_between_analysed_frames_is_flagged_on_the_next_record():
    from inference.pipeline import read_between, read_eyes
    from inference.records import Box, FaceRecord

    est, blinked = EyeSignalEstimator(), set()
    for i in range(30):  # open eyes, read at 10 analysed frames a second
        read_eyes(est, FaceRecord(i, i / 10, 1, Box(0, 0, 1, 1), 1.0, 60.0), synthetic_face(ear=0.3), blinked)
    t = 2.9
    for ear in (0.3, 0.05, 0.05, 0.3):  # a 2-frame blink at 30 fps, between two analysed frames
        t += 1 / 30
        read_between(est, blinked, 1, synthetic_face(ear=ear), t)
    assert blinked == {1}
    record = FaceRecord(30, 3.0 + 0.1, 1, Box(0, 0, 1, 1), 1.0, 60.0)
    read_eyes(est, record, synthetic_face(ear=0.3), blinked)
    assert record.signals.blink and "blink" in record.flags and blinked == set()
    later = FaceRecord(31, 3.2, 1, Box(0, 0, 1, 1), 1.0, 60.0)
    read_eyes(est, later, synthetic_face(ear=0.3), blinked)
    assert "blink" not in later.flags  # flagged once
