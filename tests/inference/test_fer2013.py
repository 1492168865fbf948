"""FER2013 loaders: the challenge CSV (plain and gzipped) and the image tree, and their errors."""

import gzip

import cv2
import numpy as np
import pytest

from inference.lab.fer2013 import SPLITS, load_csv, load_fer2013, load_tree
from inference.labels import LABELS

HEADER = "emotion,pixels,Usage\n"


def face(seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (48, 48), dtype=np.uint8)


def row(label, pixels, usage) -> str:
    return f"{label},{' '.join(map(str, np.ravel(pixels)))},{usage}\n"


@pytest.fixture
def rows():
    return [(3, face(0), "Training"), (1, face(1), "PublicTest"), (6, face(2), "PrivateTest"), (0, face(3), "Training")]


@pytest.mark.parametrize("gzipped", [False, True])
def test_csv_round_trip(tmp_path, rows, gzipped):
    text = HEADER + "".join(row(*r) for r in rows)
    path = tmp_path / ("fer.csv.gz" if gzipped else "fer.csv")
    path.write_bytes(gzip.compress(text.encode()) if gzipped else text.encode())
    faces = load_csv(path)
    assert faces.images.dtype == np.uint8 and faces.images.shape == (4, 48, 48)
    np.testing.assert_array_equal(faces.images, np.stack([r[1] for r in rows]))
    assert faces.labels.tolist() == [r[0] for r in rows]
    assert [SPLITS[s] for s in faces.splits] == [r[2] for r in rows]
    assert faces.counts().sum() == 4 and faces.counts()[0, 3] == 1
    assert len(faces.split("Training")) == 2


@pytest.mark.parametrize(
    "bad, message",
    [
        (row(3, face(9)[:47], "Training"), "expected 2304 pixels, got 2256"),
        (row(7, face(9), "Training"), "unknown emotion label '7'"),
        (row("x", face(9), "Training"), "unknown emotion label 'x'"),
        (row(3, face(9), "Validation"), "unknown Usage 'Validation'"),
        ("3,1 2 a,Training\n", "pixels are not integers"),
        (row(3, np.full(2304, 300), "Training"), "pixel values outside 0..255"),
        ("3,1 2 3\n", "expected 3 fields"),
    ],
)
def test_csv_bad_row_names_the_row(tmp_path, rows, bad, message):
    path = tmp_path / "fer.csv"
    path.write_text(HEADER + row(*rows[0]) + bad + row(*rows[1]))
    with pytest.raises(ValueError, match=f"row 3: {message}"):
        load_csv(path)


def test_csv_bad_header(tmp_path, rows):
    path = tmp_path / "fer.csv"
    path.write_text("label,pixels,split\n" + row(*rows[0]))
    with pytest.raises(ValueError, match="header"):
        load_csv(path)


def write_tree(root, entries):
    """entries: (folder, emotion, file name, image)."""
    for folder, emotion, name, image in entries:
        (root / folder / emotion).mkdir(parents=True, exist_ok=True)
        assert cv2.imwrite(str(root / folder / emotion / name), image)


def test_tree_recovers_split_from_file_names(tmp_path):
    write_tree(
        tmp_path,
        [
            ("train", "happy", "Training_10.png", face(0)),
            ("train", "happy", "Training_2.png", face(1)),
            ("train", "disgust", "Training_5.jpg", np.full((48, 48), 90, np.uint8)),
            ("test", "sad", "PublicTest_7.png", face(2)),
            ("test", "neutral", "PrivateTest_3.png", face(3)),
        ],
    )
    (tmp_path / "train" / "happy" / ".DS_Store").write_bytes(b"junk")
    faces = load_tree(tmp_path)
    assert len(faces) == 5
    by_split = {
        SPLITS[s]: sorted(LABELS[l] for l, t in zip(faces.labels, faces.splits) if t == s) for s in set(faces.splits)
    }
    assert by_split == {"Training": ["disgust", "happy", "happy"], "PublicTest": ["sad"], "PrivateTest": ["neutral"]}
    happy = faces.images[faces.labels == LABELS.index("happy")]
    np.testing.assert_array_equal(happy, np.stack([face(1), face(0)]))  # numeric order: 2 before 10
    assert abs(int(faces.images[faces.labels == 1].mean()) - 90) <= 2  # JPEG, nearly lossless on flat grey
    np.testing.assert_array_equal(load_fer2013(tmp_path).labels, faces.labels)


@pytest.mark.parametrize(
    "folder, emotion, name, content, message",
    [
        ("train", "happy", "PublicTest_1.png", None, "name must start with one of Training_"),
        ("test", "happy", "Training_1.png", None, "name must start with one of PublicTest_, PrivateTest_"),
        ("train", "joy", "Training_1.png", None, "unknown emotion folder"),
        ("train", "happy", "Training_1.jpg", b"not a jpeg", "unreadable image"),
        ("train", "happy", "Training_1.txt", b"hello", "not an image file"),
        ("train", "happy", "Training_1.png", "small", "expected a 48x48 face, got 40x40"),
    ],
)
def test_tree_bad_file_names_the_file(tmp_path, folder, emotion, name, content, message):
    write_tree(tmp_path, [("train", "sad", "Training_0.png", face(0))])
    target = tmp_path / folder / emotion / name
    target.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        target.write_bytes(content)
    else:
        cv2.imwrite(str(target), face(1)[:40, :40] if content == "small" else face(1))
    with pytest.raises(ValueError, match=message) as error:
        load_tree(tmp_path)
    assert name in str(error.value) or emotion in str(error.value)


def test_load_fer2013_caches_csv(tmp_path, rows):
    path = tmp_path / "fer.csv"
    path.write_text(HEADER + "".join(row(*r) for r in rows))
    first = load_fer2013(path, cache_dir=tmp_path / "cache")
    assert len(list((tmp_path / "cache").glob("*.npz"))) == 1
    second = load_fer2013(path, cache_dir=tmp_path / "cache")
    np.testing.assert_array_equal(first.images, second.images)
    np.testing.assert_array_equal(first.splits, second.splits)


def test_missing_inputs(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_fer2013(tmp_path / "nope.csv")
    with pytest.raises(FileNotFoundError, match="no train/ or test/"):
        load_tree(tmp_path)
