"""Where followed faces are looked for: a square around each, neighbours' squares joined into one call,
and the joined squares finding the faces the separate ones find (a generated room of real faces)."""

import cv2
import numpy as np
import pytest
from skimage import data

from inference.faces import MediaPipeFaces
from inference.follow import follow_squares
from inference.records import Box


def test_each_followed_face_gets_a_square_of_margin_times_its_box_at_least_a_tile_inside_the_frame():
    boxes = [Box(600, 300, 40, 40), Box(0, 0, 20, 20)]
    assert follow_squares(boxes, 720, 1280, margin=4.0) == [(540, 240, 160, 160), (0, 0, 128, 128)]


def test_neighbours_squares_become_one_square_around_both_while_it_stays_within_merge_faces():
    row = [Box(600 + 60 * i, 300, 40, 40) for i in range(3)]  # three students side by side
    (joined,) = follow_squares(row, 720, 1280, margin=4.0, merge=12.0)
    x, y, w, h = joined
    assert w == h <= 12 * 40
    for box in row:  # each face's own square lies inside the joined one
        assert x <= box.center[0] - 80 and box.center[0] + 80 <= x + w
        assert y <= box.center[1] - 80 and box.center[1] + 80 <= y + h
    assert follow_squares(row, 720, 1280, margin=4.0, merge=0.0) == follow_squares(row, 720, 1280, margin=4.0)
    far = [Box(100, 300, 40, 40), Box(1100, 300, 40, 40)]  # across the room: a joint square would shrink them
    assert len(follow_squares(far, 720, 1280, margin=4.0, merge=12.0)) == 2
    small_beside_big = [Box(600, 300, 10, 10), Box(700, 300, 60, 60)]  # 12 x the small face is under both squares
    assert len(follow_squares(small_beside_big, 720, 1280, margin=4.0, merge=12.0)) == 2


@pytest.fixture(scope="module")
def room():
    """A 1080p frame with nine copies of the astronaut's face, ~50 px wide, in three rows of three
    neighbours, on a grey background, and where each face is."""
    face = cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR)[20:260, 120:330]  # head and shoulders
    small = cv2.resize(face, (84, 96), interpolation=cv2.INTER_AREA)
    frame = np.full((1080, 1920, 3), 128, np.uint8)
    for row, y in enumerate((250, 550, 850)):
        for i in range(3):
            x = 300 + row * 500 + 100 * i
            frame[y : y + 96, x : x + 84] = small
    return frame


def test_joined_follow_squares_find_the_faces_separate_squares_find_in_fewer_detector_calls(room):
    with MediaPipeFaces(tiles="auto", threads=1, retries=False) as finder:
        scanned = finder(room, fine=True)
        assert len(scanned) == 9
        near = [face.box for face in scanned]
        found, calls = {}, {}
        for merge in (0.0, 12.0):
            finder.follow_merge = merge
            calls[merge] = len(finder.regions(1080, 1920, near=near))
            found[merge] = finder(room, near=near)
    assert calls[0.0] == 1 + 9 and calls[12.0] == 1 + 3  # the full frame, then a square per row
    assert len(found[12.0]) == len(found[0.0]) == 9
    for face in found[0.0]:
        assert max(face.box.iou(other.box) for other in found[12.0]) > 0.7


def test_crop_meshes_on_two_lanes_give_each_face_the_landmarks_one_lane_gives(room):
    with MediaPipeFaces(tiles="auto", threads=2, retries=False) as finder:
        boxes = [face.box for face in finder(room, fine=True)]
        both = finder.mesh_crops(room, boxes)
        one = [finder.mesh_crop(room, box) for box in boxes]
    assert sum(lm is not None for lm in one) >= 5
    for a, b in zip(both, one):
        assert (a is None) == (b is None)
        if a is not None:
            np.testing.assert_allclose(a, b, atol=1e-3)


def test_a_followed_face_is_looked_for_in_a_square_at_least_the_tile_its_scan_used(room):
    """The detector then sees a followed face at the scale the scan saw it, not larger with less context."""
    with MediaPipeFaces(tiles="auto", threads=1, retries=False, tile_per_face=8.0, follow_merge=0.0) as finder:
        scanned = finder(room)
        tile = 8.0 * min(face.box.w for face in scanned)
        squares = finder.regions(1080, 1920, near=[face.box for face in scanned])[1:]
        followed = finder(room, near=[face.box for face in scanned])
    assert len(scanned) == 9 and len(squares) == 9
    assert all(side >= int(tile) > 4.0 * face.box.w for (_, _, side, _), face in zip(squares, scanned, strict=True))
    assert len(followed) == 9
