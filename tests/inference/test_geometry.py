"""Band geometry: cutting single faces and batches, serialisation, CLI parsing, the committed card."""

import argparse
import json
from pathlib import Path

import numpy as np
import pytest

from inference.geometry import CANONICAL, EYE_BAND, FRAME_SIZE, FULL_FACE, Band, cut_bands
from inference.lab.cli.train import parse_band

WEIGHTS = Path(__file__).resolve().parents[2] / "inference" / "weights"


def numbered_faces(n: int) -> np.ndarray:
    """Faces whose pixel value encodes (face, row): face k, row r holds 100*k + r (mod 2**16)."""
    rows = np.arange(FRAME_SIZE)[None, :, None]
    return (100 * np.arange(n)[:, None, None] + rows + np.zeros((1, 1, FRAME_SIZE), int)).astype(np.uint16)


def test_eye_band_holds_eyes_and_brows_inside_the_frame():
    assert 0 <= EYE_BAND.top < EYE_BAND.bottom <= FRAME_SIZE
    assert EYE_BAND.shape == (EYE_BAND.bottom - EYE_BAND.top, FRAME_SIZE)
    # the canonical eye line must sit well inside the band, with room for the brows above it
    for _, eye_row in (CANONICAL.left_eye, CANONICAL.right_eye):
        assert EYE_BAND.top + 8 <= eye_row <= EYE_BAND.bottom - 6
    assert FULL_FACE.shape == (FRAME_SIZE, FRAME_SIZE)


def test_cut_single_face_and_batch_take_the_same_rows():
    faces = numbered_faces(3)
    single = EYE_BAND.cut(faces[1])
    assert single.shape == EYE_BAND.shape
    assert single[:, 0].tolist() == [100 + r for r in range(EYE_BAND.top, EYE_BAND.bottom)]
    np.testing.assert_array_equal(EYE_BAND.cut(faces)[1], single)
    np.testing.assert_array_equal(cut_bands(faces, EYE_BAND)[1], single)


def test_band_cut_is_not_fooled_by_a_batch_of_48():
    batch = np.random.default_rng(1).integers(0, 256, (48, 48, 48), dtype=np.uint8)
    assert EYE_BAND.cut(batch).shape == (48, EYE_BAND.height, EYE_BAND.width)
    np.testing.assert_array_equal(EYE_BAND.cut(batch)[5], EYE_BAND.cut(batch[5]))


def test_cut_bands_is_not_fooled_by_a_batch_of_48():
    faces = numbered_faces(48)
    bands = cut_bands(faces, EYE_BAND)
    assert bands.shape == (48, *EYE_BAND.shape)
    assert bands[47, 0, 0] == (100 * 47 + EYE_BAND.top) % 2**16
    with pytest.raises(ValueError, match="aligned faces"):
        cut_bands(faces[:, :40], EYE_BAND)


def test_band_round_trips_through_dict_and_json():
    band = Band(6, 30, 2, 46)
    assert Band.from_dict(json.loads(json.dumps(band.to_dict()))) == band
    assert band.shape == (24, 44)


@pytest.mark.parametrize("text, expected", [("eye", EYE_BAND), ("full", FULL_FACE), ("6:30", Band(6, 30))])
def test_parse_band(text, expected):
    assert parse_band(text) == expected


@pytest.mark.parametrize("text", ["30:6", "0:49", "six:30", "4"])
def test_parse_band_rejects_nonsense(text):
    with pytest.raises(argparse.ArgumentTypeError):
        parse_band(text)


def test_committed_card_uses_the_current_eye_band():
    card = WEIGHTS / "eye_cnn.json"
    if not card.exists():
        pytest.skip("no committed eye model card")
    assert Band.from_dict(json.loads(card.read_text())["band"]) == EYE_BAND
