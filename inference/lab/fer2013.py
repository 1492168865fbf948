"""Load FER2013 as distributed: the challenge CSV (`emotion,pixels,Usage`, optionally gzipped) or
the image tree (`train|test/<emotion>/*.jpg`, split from the `Training_/PublicTest_/PrivateTest_`
file names).

Malformed input raises ValueError naming the row or file; nothing is dropped silently.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from inference.geometry import FRAME_SIZE
from inference.labels import LABEL_INDEX, LABELS

SPLITS: tuple[str, ...] = ("Training", "PublicTest", "PrivateTest")
SPLIT_INDEX = {name: i for i, name in enumerate(SPLITS)}
TREE_FOLDERS = {"train": ("Training",), "test": ("PublicTest", "PrivateTest")}
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")
PIXELS = FRAME_SIZE * FRAME_SIZE


@dataclass(frozen=True)
class FaceSet:
    """Aligned grayscale faces (or bands cut from them) with labels and split codes."""

    images: np.ndarray  # (N, H, W) uint8
    labels: np.ndarray  # (N,) uint8, index into LABELS
    splits: np.ndarray  # (N,) uint8, index into SPLITS

    def __post_init__(self) -> None:
        if not (len(self.images) == len(self.labels) == len(self.splits)):
            raise ValueError("images, labels and splits must have the same length")

    def __len__(self) -> int:
        return len(self.labels)

    def split(self, name: str) -> FaceSet:
        if name not in SPLIT_INDEX:
            raise ValueError(f"unknown split {name!r}; expected one of {', '.join(SPLITS)}")
        keep = self.splits == SPLIT_INDEX[name]
        return FaceSet(self.images[keep], self.labels[keep], self.splits[keep])

    def counts(self) -> np.ndarray:
        """(len(SPLITS), len(LABELS)) table of faces per split and class."""
        table = np.zeros((len(SPLITS), len(LABELS)), dtype=np.int64)
        np.add.at(table, (self.splits.astype(np.int64), self.labels.astype(np.int64)), 1)
        return table


def _parse_row(line_no: int, row: list[str]) -> tuple[np.ndarray, int, int]:
    where = f"row {line_no}"
    if len(row) != 3:
        raise ValueError(f"{where}: expected 3 fields (emotion,pixels,Usage), got {len(row)}")
    emotion, pixels, usage = (field.strip() for field in row)
    if not emotion.isdigit() or int(emotion) >= len(LABELS):
        raise ValueError(f"{where}: unknown emotion label {emotion!r}")
    if usage not in SPLIT_INDEX:
        raise ValueError(f"{where}: unknown Usage {usage!r}")
    try:
        values = np.array(pixels.split(), dtype=np.int64)
    except ValueError:
        raise ValueError(f"{where}: pixels are not integers") from None
    if values.size != PIXELS:
        raise ValueError(f"{where}: expected {PIXELS} pixels, got {values.size}")
    if values.min() < 0 or values.max() > 255:
        raise ValueError(f"{where}: pixel values outside 0..255")
    return values.astype(np.uint8).reshape(FRAME_SIZE, FRAME_SIZE), int(emotion), SPLIT_INDEX[usage]


def load_csv(path: str | Path) -> FaceSet:
    """Read the challenge CSV (`.csv` or `.csv.gz`). Row numbers in errors count the header as 1."""
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", newline="") as handle:
        reader = csv.reader(handle)
        header = [h.strip() for h in next(reader, [])]
        if header != ["emotion", "pixels", "Usage"]:
            raise ValueError(f"{path}: header must be 'emotion,pixels,Usage', got {','.join(header)!r}")
        rows = [_parse_row(line_no, row) for line_no, row in enumerate(reader, start=2)]
    if not rows:
        raise ValueError(f"{path}: no data rows")
    images, labels, splits = zip(*rows)
    return FaceSet(np.stack(images), np.array(labels, np.uint8), np.array(splits, np.uint8))


def _split_of(file: Path, folder: str) -> int:
    prefix = file.name.split("_", 1)[0]
    if prefix not in TREE_FOLDERS[folder]:
        raise ValueError(f"{file}: name must start with one of {'_, '.join(TREE_FOLDERS[folder])}_")
    return SPLIT_INDEX[prefix]


def _read_image(file: Path) -> np.ndarray:
    import cv2  # heavy import kept local: the CSV path does not need it

    image = cv2.imread(str(file), cv2.IMREAD_GRAYSCALE)
    if image is None:
        raise ValueError(f"{file}: unreadable image")
    if image.shape != (FRAME_SIZE, FRAME_SIZE):
        raise ValueError(f"{file}: expected a {FRAME_SIZE}x{FRAME_SIZE} face, got {image.shape[1]}x{image.shape[0]}")
    return image


def _sort_key(file: Path) -> tuple:
    stem = file.stem.split("_", 1)[-1]
    return (int(stem) if stem.isdigit() else 0, stem)


def load_tree(root: str | Path) -> FaceSet:
    """Read `root/{train,test}/<emotion>/*.jpg`. Hidden files (names starting '.') are OS metadata
    and skipped; any other file that is not a readable 48x48 image raises."""
    root = Path(root)
    folders = [root / name for name in TREE_FOLDERS if (root / name).is_dir()]
    if not folders:
        raise FileNotFoundError(f"{root}: no train/ or test/ folder")
    images, labels, splits = [], [], []
    for folder in folders:
        for class_dir in sorted(p for p in folder.iterdir() if not p.name.startswith(".")):
            if not class_dir.is_dir() or class_dir.name not in LABEL_INDEX:
                raise ValueError(f"{class_dir}: unknown emotion folder (expected one of {', '.join(LABELS)})")
            files = sorted((f for f in class_dir.iterdir() if not f.name.startswith(".")), key=_sort_key)
            for file in files:
                if file.suffix.lower() not in IMAGE_SUFFIXES:
                    raise ValueError(f"{file}: not an image file")
                splits.append(_split_of(file, folder.name))
                images.append(_read_image(file))
                labels.append(LABEL_INDEX[class_dir.name])
    if not images:
        raise ValueError(f"{root}: no images found")
    return FaceSet(np.stack(images), np.array(labels, np.uint8), np.array(splits, np.uint8))


def load_fer2013(path: str | Path, cache_dir: str | Path | None = None) -> FaceSet:
    """Load either layout. With `cache_dir`, a CSV is parsed once and kept as a uint8 .npz there
    (keyed by the file's name, size and modification time)."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such file or directory")
    if path.is_dir():
        return load_tree(path)
    if cache_dir is None:
        return load_csv(path)
    stat = path.stat()
    key = hashlib.sha1(f"{path.name}:{stat.st_size}:{stat.st_mtime_ns}".encode()).hexdigest()[:12]
    cached = Path(cache_dir) / f"fer2013-{key}.npz"
    if cached.exists():
        with np.load(cached) as data:
            return FaceSet(data["images"], data["labels"], data["splits"])
    faces = load_csv(path)
    cached.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, images=faces.images, labels=faces.labels, splits=faces.splits)
    cached.write_bytes(buffer.getvalue())
    return faces
