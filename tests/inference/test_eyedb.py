"""The eye database builder: band file, counts table, per-class mosaics, and the CLI."""

import cv2
import numpy as np
import pytest

from inference.__main__ import main as cli
from inference.geometry import EYE_BAND, FULL_FACE, Band
from inference.lab.eyedb import DB_NAME, build_eye_db, load_bands, load_eye_db, mosaic
from inference.lab.fer2013 import SPLITS, FaceSet
from inference.labels import LABELS


@pytest.fixture
def faces():
    rng = np.random.default_rng(0)
    labels = np.array([0, 0, 1, 3, 3, 3, 6, 6], np.uint8)
    splits = np.array([0, 1, 0, 0, 1, 2, 0, 2], np.uint8)
    return FaceSet(rng.integers(0, 256, (8, 48, 48), dtype=np.uint8), labels, splits)


def test_build_writes_bands_counts_and_mosaics(tmp_path, faces):
    db = build_eye_db(faces, EYE_BAND, tmp_path, samples=4)
    loaded = load_eye_db(tmp_path / DB_NAME)
    assert loaded.band == EYE_BAND
    assert loaded.faces.images.shape == (8, *EYE_BAND.shape)
    np.testing.assert_array_equal(loaded.faces.images, faces.images[:, EYE_BAND.top : EYE_BAND.bottom])
    np.testing.assert_array_equal(loaded.faces.labels, faces.labels)
    np.testing.assert_array_equal(db.faces.splits, faces.splits)

    lines = (tmp_path / "counts.csv").read_text().splitlines()
    assert lines[0] == ",".join(["class", *SPLITS, "total"])
    table = {line.split(",")[0]: list(map(int, line.split(",")[1:])) for line in lines[1:]}
    assert table["happy"] == [1, 1, 1, 3]
    assert table["angry"] == [1, 1, 0, 2]
    assert table["total"] == [4, 2, 2, 8]
    assert "| happy | 1 | 1 | 1 | 3 |" in (tmp_path / "counts.md").read_text()

    written = sorted(p.name for p in tmp_path.glob("mosaic_*.png"))
    assert written == sorted(f"mosaic_{LABELS[i]}.png" for i in set(faces.labels.tolist()))
    happy = cv2.imread(str(tmp_path / "mosaic_happy.png"), cv2.IMREAD_GRAYSCALE)
    assert happy.shape == mosaic(np.zeros((3, *EYE_BAND.shape), np.uint8)).shape


def test_mosaic_places_tiles_in_rows():
    tiles = np.stack([np.full((2, 3), v, np.uint8) for v in (10, 20, 30)])
    out = mosaic(tiles, columns=2, scale=2, gap=1)
    assert out.shape == (2 * (4 + 1) + 1, 2 * (6 + 1) + 1)
    assert out[1, 1] == 10 and out[1, 8] == 20 and out[6, 1] == 30 and out[6, 8] == 255


def test_load_bands_checks_the_geometry(tmp_path, faces):
    build_eye_db(faces, EYE_BAND, tmp_path)
    assert load_bands(tmp_path / DB_NAME, EYE_BAND).images.shape[1:] == EYE_BAND.shape
    with pytest.raises(ValueError, match="holds band"):
        load_bands(tmp_path / DB_NAME, Band(6, 30))
    with pytest.raises(FileNotFoundError):
        load_eye_db(tmp_path / "missing.npz")


def test_a_database_of_whole_faces_yields_any_band(tmp_path, faces):
    """The compact file carried to a GPU box holds whole faces; eye and full-face runs both read it."""
    build_eye_db(faces, FULL_FACE, tmp_path)
    eye = load_bands(tmp_path / DB_NAME, EYE_BAND)
    np.testing.assert_array_equal(eye.images, faces.images[:, EYE_BAND.top : EYE_BAND.bottom])
    np.testing.assert_array_equal(eye.labels, faces.labels)
    assert load_bands(tmp_path / DB_NAME, FULL_FACE).images.shape == (8, 48, 48)


def test_cli_builds_from_csv(tmp_path, faces, capsys):
    rows = [
        f"{l},{' '.join(map(str, img.ravel()))},{SPLITS[s]}"
        for img, l, s in zip(faces.images, faces.labels, faces.splits)
    ]
    csv = tmp_path / "fer.csv"
    csv.write_text("emotion,pixels,Usage\n" + "\n".join(rows) + "\n")
    assert cli(["build-eye-db", "--fer2013", str(csv), "--out", str(tmp_path / "db"), "--band", "6:30"]) == 0
    assert load_eye_db(tmp_path / "db" / DB_NAME).band == Band(6, 30)
    assert "happy" in capsys.readouterr().out
    assert cli(["build-eye-db", "--fer2013", str(tmp_path / "nope.csv"), "--out", str(tmp_path / "x")]) == 1
