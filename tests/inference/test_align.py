"""Alignment step: eyes land on the measured canonical points; the cut band is what the CNN eats."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from inference.align import align_bands, align_face, canonical_points, eye_boxes, similarity
from inference.geometry import CANONICAL, EYE_BAND, Band


def test_similarity_sends_both_points_exactly():
    rng = np.random.default_rng(0)
    for _ in range(20):
        src, dst = rng.uniform(0, 500, (2, 2)), rng.uniform(0, 48, (2, 2))
        m = similarity(src, dst)
        np.testing.assert_allclose(src @ m[:, :2].T + m[:, 2], dst, atol=1e-9)
        assert m[0, 0] == pytest.approx(m[1, 1]) and m[0, 1] == pytest.approx(-m[1, 0])  # no shear


def test_coincident_eyes_are_rejected():
    with pytest.raises(ValueError):
        similarity(np.array([[5.0, 5.0], [5.0, 5.0]]), canonical_points())


def _dots(eyes, shape=(360, 640), radius=3):
    image = np.zeros(shape, np.uint8)
    for x, y in eyes:
        # sub-pixel centres (shift=4: coordinates in 1/16 px), pixel-centre convention
        cv2.circle(image, (round(x * 16), round(y * 16)), radius * 16, 255, -1, cv2.LINE_AA, shift=4)
    return image


@pytest.mark.parametrize("iod,angle", [(20.0, 0.0), (60.0, 25.0), (150.0, -40.0), (9.0, 10.0)])
def test_rotated_scaled_eyes_land_on_canonical_points(iod, angle):
    centre, a = np.array([320.0, 180.0]), np.radians(angle)
    offset = iod / 2 * np.array([np.cos(a), np.sin(a)])
    eyes = np.stack([centre - offset, centre + offset])
    face = align_face(_dots(eyes, radius=max(2, int(iod / 10))), eyes)
    assert face.shape == (48, 48) and face.dtype == np.uint8
    found = []
    for half in (face[:, :24], face[:, 24:]):
        ys, xs = np.nonzero(half > 40)
        w = half[ys, xs].astype(float)
        found.append([np.average(xs, weights=w), np.average(ys, weights=w)])
    found[1][0] += 24
    np.testing.assert_allclose(found, canonical_points(), atol=0.6)


def test_large_faces_are_area_averaged_not_aliased():
    stripes = np.zeros((400, 400), np.uint8)
    stripes[:, ::2] = 255  # 1-pixel stripes: point sampling would give 0 or 255 columns
    eyes = np.array([[100.0, 200.0], [300.0, 200.0]])  # IOD 200 px -> downscale ~12x
    face = align_face(stripes, eyes)
    assert 100 < face[10:40, 10:40].mean() < 155 and face[10:40, 10:40].std() < 20


def test_bands_have_the_model_shape_and_match_a_manual_cut():
    gray = np.random.default_rng(1).integers(0, 255, (200, 300), dtype=np.uint8)
    eyes = [np.array([[100.0, 90.0], [140.0, 95.0]]), np.array([[50.0, 50.0], [70.0, 48.0]])]
    band = Band(top=6, bottom=30)
    bands = align_bands(gray, eyes, band)
    assert bands.shape == (2, 24, 48) and bands.dtype == np.uint8
    np.testing.assert_array_equal(bands[0], band.cut(align_face(gray, eyes[0])))
    assert align_bands(gray, [], EYE_BAND).shape == (0, *EYE_BAND.shape)


def test_real_photo_alignment_undoes_rotation():
    """The astronaut and a rotated copy, each aligned by its own Face Mesh eyes, look the same."""
    from skimage import data

    from inference.faces import MediaPipeFaces

    photo = cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR)
    rotated = cv2.warpAffine(photo, cv2.getRotationMatrix2D((230, 130), 30, 1.3), (512, 512))
    with MediaPipeFaces(video=False) as finder:
        a, b = (finder(img)[0] for img in (photo, rotated))
    fa = align_face(cv2.cvtColor(photo, cv2.COLOR_BGR2GRAY), a.eyes).astype(float)
    fb = align_face(cv2.cvtColor(rotated, cv2.COLOR_BGR2GRAY), b.eyes).astype(float)
    assert np.corrcoef(EYE_BAND.cut(fa).ravel(), EYE_BAND.cut(fb).ravel())[0, 1] > 0.9
    assert b.inter_ocular == pytest.approx(1.3 * a.inter_ocular, rel=0.08)


def test_eye_boxes_are_centred_on_the_eyes():
    eyes = np.array([[100.0, 50.0], [140.0, 50.0]])
    boxes = eye_boxes(eyes)
    for box, (x, y) in zip(boxes, eyes):
        assert box.center == pytest.approx((x, y))
        assert box.w == pytest.approx(0.7 * 40)


def test_canonical_frame_is_measured_not_placeholder():
    assert 14 <= CANONICAL.left_eye[0] <= 17 and 30 <= CANONICAL.right_eye[0] <= 34
    assert CANONICAL.left_eye != (15.0, 19.0)
