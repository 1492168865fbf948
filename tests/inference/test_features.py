"""`python -m inference features`: a mosaic per convolution and pooling layer, and a saliency map."""

import json

import cv2
import numpy as np
import pytest

from inference.__main__ import main
from inference.classifier import DEFAULT_WEIGHTS
from inference.lab.features import PATCH, mosaic, occlusion_saliency

needs_weights = pytest.mark.skipif(not DEFAULT_WEIGHTS.is_file(), reason="no trained eye CNN yet")


def test_a_mosaic_shows_every_channel_stretched_to_its_own_range():
    maps = np.zeros((4, 6, 5), np.float32)
    maps[..., 2] = np.arange(24).reshape(4, 6)  # one channel with a ramp, the others flat
    picture = mosaic(maps, scale=2)
    assert picture.dtype == np.uint8 and picture.shape == (3 * 9 + 1, 2 * 13 + 1)  # 3 rows, 2 columns of 8x12 tiles
    assert picture.max() == 255 and picture[1:9, 1:13].max() == 0  # a flat channel stays black


def test_saliency_marks_the_part_of_the_band_that_decides_the_class():
    band = np.full((28, 48), 100, np.uint8)
    band[10:18, 30:38] = 250  # a bright spot: the only thing this fake model looks at

    def predict(bands):
        score = bands[:, 10:18, 30:38].astype(float).mean(axis=(1, 2)) / 255
        return np.stack([score, 1 - score] + [np.zeros_like(score)] * 5, axis=1)

    saliency, top, probs = occlusion_saliency(predict, band)
    assert top == 0 and saliency.shape == band.shape and saliency.max() == pytest.approx(1.0)
    y, x = np.unravel_index(np.argmax(saliency), saliency.shape)
    assert 10 - PATCH < y < 18 and 30 - PATCH < x < 38 and saliency[:, :20].max() == 0


@needs_weights
def test_the_command_writes_a_mosaic_per_layer_and_a_saliency_map_for_a_generated_face(tmp_path):
    face = np.full((48, 48), 90, np.uint8)
    cv2.ellipse(face, (24, 26), (18, 22), 0, 0, 360, 170, -1)
    for x in (15, 33):
        cv2.circle(face, (x, 18), 3, 30, -1)  # eyes
    cv2.imwrite(str(tmp_path / "face.png"), face)
    assert main(["features", str(tmp_path / "face.png"), "--out", str(tmp_path / "out")]) == 0
    summary = json.loads((tmp_path / "out" / "features.json").read_text())
    names = [layer["layer"] for layer in summary["layers"]]
    assert names == [f"block{b}_{k}" for b in (1, 2, 3) for k in ("conv1", "conv2", "pool")]
    assert [layer["channels"] for layer in summary["layers"]][::3] == [48, 96, 192]
    for layer in summary["layers"]:
        picture = cv2.imread(str(tmp_path / "out" / layer["file"]))
        assert picture is not None and picture.shape[0] > layer["height"]
    assert cv2.imread(str(tmp_path / "out" / "saliency.png")).shape[:2] == (28 * 8, 48 * 8)
    assert summary["top"] in summary["probabilities"] and sum(summary["probabilities"].values()) == pytest.approx(
        1, abs=0.01
    )


def test_a_missing_image_is_a_clear_error(tmp_path, capsys):
    assert main(["features", str(tmp_path / "nothing.png"), "--out", str(tmp_path / "out")]) == 1
    assert "no such image" in capsys.readouterr().err
