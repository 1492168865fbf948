"""Faces step: MediaPipe detector + mesh on real photos, tiling, merging, suppression."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from skimage import data

from inference.faces import (
    AUTO_TILE,
    NUM_LANDMARKS,
    Face,
    MediaPipeFaces,
    _tiles,
    eye_centres,
    fine_tile,
    merge,
    suppress,
)
from inference.records import Box


@pytest.fixture(scope="module")
def finder():
    with MediaPipeFaces(video=False) as f:
        yield f


@pytest.fixture(scope="module")
def astronaut():
    return cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR)


def test_one_face_with_iris_landmarks_on_the_astronaut(finder, astronaut):
    faces = finder(astronaut)
    assert len(faces) == 1
    face = faces[0]
    assert face.landmarks.shape == (NUM_LANDMARKS, 3)
    assert 0.5 < face.score <= 1.0
    left, right = face.eyes
    assert left[0] < right[0]  # image-left eye first
    assert 35 < face.inter_ocular < 50
    box = face.box
    for x, y in face.eyes:
        assert box.x < x < box.x + box.w and box.y < y < box.y + box.h
    # the iris centres sit inside their eyes
    iris = face.landmarks[[468, 473], :2]
    assert np.abs(iris - face.eyes).max() < 0.25 * face.inter_ocular


def test_no_face_on_a_photo_without_people(finder):
    coffee = cv2.cvtColor(data.coffee(), cv2.COLOR_RGB2BGR)
    assert finder(coffee) == []


def test_several_faces_per_frame(finder, astronaut):
    head = astronaut[0:260, 120:360]
    frame = np.full((360, 720, 3), 120, np.uint8)
    frame[50:310, 20:260] = head
    frame[50:310, 420:660] = head
    faces = finder(frame)
    assert len(faces) == 2 and all(f.landmarks is not None for f in faces)
    assert {int(f.box.center[0] > 360) for f in faces} == {0, 1}


def test_small_face_found_by_the_detector_but_not_meshed():
    """A face scaled to ~7 px between the eyes: the tiled detector finds it; it gets no landmarks."""
    astronaut = cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR)
    small = cv2.resize(astronaut[20:240, 130:350], (44, 44), interpolation=cv2.INTER_AREA)
    frame = np.full((352, 640, 3), 120, np.uint8)
    frame[150:194, 300:344] = small
    with MediaPipeFaces(video=False, tiles=(4, 3), min_confidence=0.4) as tiled:
        faces = tiled(frame)
    assert len(faces) >= 1
    face = max(faces, key=lambda f: f.score)
    assert 290 < face.box.center[0] < 354 and face.inter_ocular < 10
    assert face.landmarks is None


def test_two_lanes_find_the_same_faces_as_one():
    """threads=2 runs the mesh and half the tiles beside the rest: same faces, same order, same numbers."""
    astronaut = cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR)
    frame = np.full((352, 640, 3), 120, np.uint8)
    frame[100:320, 40:260] = astronaut[20:240, 130:350]  # a big face: mesh + detector
    frame[150:194, 420:464] = cv2.resize(astronaut[20:240, 130:350], (44, 44), interpolation=cv2.INTER_AREA)
    found = {}
    for threads in (1, 2):
        with MediaPipeFaces(video=True, tiles=(4, 3), min_confidence=0.4, threads=threads) as finder:
            found[threads] = [finder(frame) for _ in range(3)]
    for one, two in zip(found[1], found[2]):
        assert len(one) == len(two) >= 2
        for a, b in zip(one, two):
            assert a.box == b.box and a.score == b.score and np.array_equal(a.eyes, b.eyes)
            assert (a.landmarks is None) == (b.landmarks is None)
    with pytest.raises(ValueError):
        MediaPipeFaces(threads=3)


def test_auto_grid_and_bad_tiles():
    from inference.faces import auto_grid

    assert auto_grid(352, 640) == (5, 3) and auto_grid(100, 100) == (1, 1)
    with pytest.raises(ValueError):
        MediaPipeFaces(tiles=(0, 2))


def test_tiles_cover_the_frame_with_overlap():
    tiles = list(_tiles(352, 640, (3, 2)))
    assert len(tiles) == 6
    cover = np.zeros((352, 640), int)
    for x, y, w, h in tiles:
        assert x >= 0 and y >= 0 and x + w <= 640 and y + h <= 352
        cover[y : y + h, x : x + w] += 1
    assert cover.min() >= 1 and (cover >= 2).mean() > 0.2


def _face(box, score=0.9, landmarks=None):
    return Face(
        box=box, score=score, eyes=np.array([[box.x + 3, box.y + 3], [box.x + 7, box.y + 3]]), landmarks=landmarks
    )


def test_suppress_keeps_the_best_of_overlapping_and_nested_boxes():
    a = _face(Box(0, 0, 20, 20), 0.9)
    b = _face(Box(2, 2, 20, 20), 0.8)  # overlaps a
    c = _face(Box(5, 5, 8, 8), 0.95)  # inside a, better score
    d = _face(Box(100, 100, 20, 20), 0.6)
    kept = suppress([a, b, c, d])
    assert kept == [c, d]


def test_merge_gives_mesh_faces_the_detector_score_and_keeps_unmatched_detections():
    lm = np.zeros((NUM_LANDMARKS, 3), np.float32)
    meshed = _face(Box(100, 100, 60, 70), 1.0, lm)
    matched = _face(Box(105, 115, 50, 50), 0.7)
    lonely = _face(Box(400, 100, 15, 15), 0.6)
    out = merge([meshed], [lonely, matched])
    assert len(out) == 2
    assert out[0] is meshed and out[0].score == 0.7
    assert out[1] is lonely and out[1].landmarks is None


def test_eye_centres_use_the_eye_contours():
    lm = np.zeros((NUM_LANDMARKS, 3), np.float32)
    from inference.faces import EYE_RING_IMG_LEFT, EYE_RING_IMG_RIGHT

    lm[list(EYE_RING_IMG_LEFT), :2] = [10, 20]
    lm[list(EYE_RING_IMG_RIGHT), :2] = [30, 21]
    np.testing.assert_allclose(eye_centres(lm), [[10, 20], [30, 21]])


def test_failed_crop_retries_wait_a_few_frames():
    """A detected face the mesh cannot read is retried every `retry_after` frames, not every frame;
    a full-frame mesh that finds nothing rests as long."""
    big = _face(Box(100, 100, 80, 80), 0.9)
    big.eyes = np.array([[120.0, 130.0], [160.0, 130.0]])
    with MediaPipeFaces(video=True, retry_after=3, threads=1) as finder:  # fakes replace mesh() and detect()
        tries, mesh_calls = [], []
        finder.mesh = lambda rgb: mesh_calls.append(1) or []
        finder.detect = lambda rgb, regions=None: [Face(big.box, big.score, big.eyes.copy())]
        finder.mesh_crop = lambda rgb, box: tries.append(box) or None
        frame = np.zeros((240, 320, 3), np.uint8)
        for _ in range(8):
            (face,) = finder(frame)
            assert face.landmarks is None
        assert len(tries) == 3  # frames 1, 4 and 7
        assert len(mesh_calls) == 2  # the idle full-frame mesh rests too: frames 1 and 5
        finder.mesh_crop = lambda rgb, box: np.zeros((NUM_LANDMARKS, 3), np.float32) + [130, 130, 0]
        finder(frame)
        assert finder(frame)[0].landmarks is not None  # a success is not held back


def test_followed_faces_are_looked_for_in_a_square_around_their_last_box():
    with MediaPipeFaces(tiles="auto", threads=1) as finder:
        near = [Box(600, 300, 40, 40), Box(0, 0, 20, 20), Box(100, 100, 500, 400)]  # the last: a close-up
        whole, around, corner = finder.regions(720, 1280, near=near)
        assert whole == (0, 0, 1280, 720)
        assert around == (540, 240, 160, 160)  # 4x the box, centred on it
        assert corner == (0, 0, 128, 128)  # at least an "auto" tile, moved inside the frame
    with MediaPipeFaces(tiles=(1, 1), threads=1) as finder:
        assert finder.regions(720, 1280, near=near[:1]) == [(0, 0, 1280, 720)]  # nothing to save


def test_scan_tiles_grow_with_the_smallest_face_found_and_a_fine_scan_goes_back_to_128_px():
    with MediaPipeFaces(tiles="auto", threads=1, tile_per_face=6) as finder:
        sizes = []

        def detect(rgb, regions=None):
            sizes.append(len(regions))
            return [_face(Box(1000, 1000, 100, 100), 0.9), _face(Box(2000, 1000, 120, 120), 0.9)]

        finder.detect, finder.mesh = detect, lambda rgb: []
        frame = np.zeros((2160, 3840, 3), np.uint8)
        finder(frame, fine=True)
        finder(frame)
        finder(frame, near=[Box(1000, 1000, 100, 100)])  # following keeps the tile size
        finder(frame)
        finder(frame, fine=True)
        fine, coarse = 1 + 30 * 17 + 8 * 4, 1 + 6 * 4  # 128 and 512 px tiles; 600 px (6 x the 100 px face)
        assert sizes == [fine, coarse, 2, coarse, fine]


def test_a_frame_larger_than_the_fine_area_is_scanned_in_tiles_scaled_with_it():
    assert fine_tile(1080, 1920, 1920 * 1080) == AUTO_TILE  # up to the area: 128 px
    assert fine_tile(2160, 3840, 1920 * 1080) == pytest.approx(2 * AUTO_TILE)  # 4 x the pixels: 2 x the tile
    assert fine_tile(2160, 3840) == AUTO_TILE  # 0: no scaling
    with MediaPipeFaces(tiles="auto", threads=1, tile_per_face=8, fine_area=1920 * 1080) as finder:
        sizes = []

        def detect(rgb, regions=None):
            sizes.append(len(regions))
            return [_face(Box(1000, 1000, 20, 20), 0.9)]  # 8 x 20 px = 160 px: under the 4K fine tile

        finder.detect, finder.mesh = detect, lambda rgb: []
        finder(np.zeros((2160, 3840, 3), np.uint8), fine=True)
        finder(np.zeros((2160, 3840, 3), np.uint8))  # a scan's tiles are never under the fine tile
        finder(np.zeros((1080, 1920, 3), np.uint8), fine=True)
        # a 4K scan costs what a 1080p one does: 256 px tiles and 1024 px ones, against 128 and 512
        assert sizes == [1 + 15 * 8 + 4 * 2] * 3
