"""Eye-region action units on generated faces: each moved point reads as its unit, whatever the size
and pose of the head, against the face's own calm."""

import numpy as np
import pytest

from inference import actionunits as au
from inference.faces import NUM_LANDMARKS


def face(
    inner_brow=0.55, outer_brow=0.5, brow_gap=0.4, upper_lid=0.08, lower_lid=-0.06, cheek=-0.3,
    yaw=0.0, pitch=0.0, roll=0.0, scale=100.0,
) -> np.ndarray:  # fmt: skip
    """Landmarks of a schematic face built in its own frame (inter-ocular distance 1, eye centres at
    x = -0.5 and 0.5), then scaled, rotated in 3D and placed in the image (y down)."""
    p = np.zeros((NUM_LANDMARKS, 3))
    for side, cx in ((0, -0.5), (1, 0.5)):
        out_x, in_x = cx + (-0.2 if side == 0 else 0.2), cx + (0.2 if side == 0 else -0.2)
        p[au.OUTER_CORNER[side]] = (out_x, 0, 0)
        p[au.INNER_CORNER[side]] = (in_x, 0, 0)
        p[au.UPPER_LID[side]] = (cx, upper_lid, 0.02)
        p[au.LOWER_LID[side]] = (cx, lower_lid, 0.02)
        p[list(au.INNER_BROW[side])] = (np.sign(cx) * brow_gap / 2, inner_brow, 0.05)
        p[list(au.OUTER_BROW[side])] = (out_x, outer_brow, 0.0)
        p[list(au.CHEEK[side])] = (cx, cheek, 0.05)
    p[au.CHIN], p[au.FOREHEAD] = (0, -1.6, 0.1), (0, 1.1, 0.1)
    turn = np.radians([pitch, yaw, roll])
    rx = np.array([[1, 0, 0], [0, np.cos(turn[0]), -np.sin(turn[0])], [0, np.sin(turn[0]), np.cos(turn[0])]])
    ry = np.array([[np.cos(turn[1]), 0, np.sin(turn[1])], [0, 1, 0], [-np.sin(turn[1]), 0, np.cos(turn[1])]])
    rz = np.array([[np.cos(turn[2]), -np.sin(turn[2]), 0], [np.sin(turn[2]), np.cos(turn[2]), 0], [0, 0, 1]])
    p = p @ (rz @ ry @ rx).T * scale
    p[:, 1] *= -1  # image y points down
    return (p + (320, 240, 0)).astype(np.float32)


def units(moved: np.ndarray, calm: np.ndarray):
    return au.units_from(au.raw_units(moved), au.raw_units(calm)).to_dict()


def test_a_calm_face_reads_no_action():
    assert all(v == pytest.approx(0, abs=1e-6) for v in units(face(), face()).values())


@pytest.mark.parametrize(
    ("moved", "unit", "amount"),
    [
        ({"inner_brow": 0.62}, "au1", 0.07),
        ({"outer_brow": 0.56}, "au2", 0.06),
        ({"upper_lid": 0.12}, "au5", 0.04),
        ({"cheek": -0.25}, "au6", 0.05),
        ({"lower_lid": -0.03}, "au7", 0.03),
    ],
)
def test_each_moved_point_reads_as_its_unit(moved, unit, amount):
    read = units(face(**moved), face())
    assert read[unit] == pytest.approx(amount, abs=1e-4)
    others = {k: v for k, v in read.items() if k not in (unit, "au4", "au43")}
    assert all(v == pytest.approx(0, abs=1e-4) for v in others.values())


def test_brows_drawn_together_and_down_are_a_frown():
    read = units(face(brow_gap=0.3, inner_brow=0.5, outer_brow=0.46), face())
    assert read["au4"] > 0.05 and read["au1"] < 0


def test_lids_shut_read_as_eyes_closed():
    assert units(face(upper_lid=0.01, lower_lid=-0.01), face())["au43"] == pytest.approx(1 - 0.02 / 0.14, abs=1e-4)


@pytest.mark.parametrize("pose", [{"yaw": 25}, {"pitch": -20}, {"roll": 15}, {"yaw": -20, "pitch": 15, "scale": 30}])
def test_units_do_not_change_with_size_or_head_pose(pose):
    frontal = units(face(inner_brow=0.62, cheek=-0.25), face())
    turned = units(face(inner_brow=0.62, cheek=-0.25, **pose), face(**pose))
    assert turned == pytest.approx(frontal, abs=1e-4)


def test_a_face_with_low_brows_is_not_frowning_at_its_own_calm():
    est, low = au.ActionUnitEstimator(calm_window=10.0, min_calm=5), face(inner_brow=0.4, outer_brow=0.38)
    readings = [est.measure(1, low, t / 10, eyes_open=True) for t in range(20)]
    assert readings[0] is None  # no calm level yet
    assert readings[-1].au4 == pytest.approx(0, abs=1e-6)
    frown = est.measure(1, face(inner_brow=0.34, outer_brow=0.32, brow_gap=0.3), 2.0, eyes_open=True)
    assert frown.au4 > 0.05


def test_calm_is_learnt_from_open_eyes_only_and_forgotten_with_the_track():
    est = au.ActionUnitEstimator(calm_window=10.0, min_calm=5)
    for t in range(10):
        est.measure(1, face(upper_lid=0.0, lower_lid=0.0), t / 10, eyes_open=False)  # shut: not calm
    assert est.measure(1, face(), 1.0, eyes_open=True) is None
    for t in range(11, 100):
        est.measure(1, face(), t / 10, eyes_open=True)
    assert len(est._tracks[1].history) <= 10 * 10 + 1  # bounded by the calm window
    est.forget(set())
    assert est._tracks == {}


def test_an_events_moved_units_read_in_plain_words():
    assert au.in_words(["AU1", "AU2", "AU5"]) == "brows raised, lids widened"
    assert au.in_words(["AU1"]) == "inner brows raised"
    assert au.in_words(["au4", "AU7"]) == "brows lowered, lids tightened"
    assert au.in_words([]) == ""
