"""The eye database: the eye band cut from every aligned FER2013 face (the paper's contribution).

`build_eye_db` writes into one folder:
- `eye_db.npz`: uint8 bands (N, h, w), labels, split codes, and the band geometry;
- `counts.csv` / `counts.md`: faces per class and split;
- `mosaic_<label>.png`: one sample mosaic per class (the paper's Fig. 3/5/7).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from inference.geometry import FULL_FACE, Band, cut_bands
from inference.lab.fer2013 import SPLITS, FaceSet, load_fer2013
from inference.labels import LABELS

DB_NAME = "eye_db.npz"


@dataclass(frozen=True)
class EyeDb:
    faces: FaceSet  # bands, not whole faces
    band: Band


def save_eye_db(db: EyeDb, path: str | Path) -> None:
    np.savez_compressed(
        path,
        images=db.faces.images,
        labels=db.faces.labels,
        splits=db.faces.splits,
        band=json.dumps(db.band.to_dict()),
        label_names=np.array(LABELS),
    )


def load_eye_db(path: str | Path) -> EyeDb:
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such eye database")
    with np.load(path) as data:
        if "band" not in data or tuple(data["label_names"]) != LABELS:
            raise ValueError(f"{path}: not an eye database with labels {', '.join(LABELS)}")
        band = Band.from_dict(json.loads(str(data["band"])))
        faces = FaceSet(data["images"], data["labels"], data["splits"])
    if faces.images.shape[1:] != band.shape:
        raise ValueError(f"{path}: images are {faces.images.shape[1:]}, band says {band.shape}")
    return EyeDb(faces, band)


def load_bands(path: str | Path, band: Band, cache_dir: str | Path | None = None) -> FaceSet:
    """Bands from either an eye database (whose geometry must equal `band`) or FER2013 itself."""
    if str(path).endswith(".npz"):
        db = load_eye_db(path)
        if db.band == band:
            return db.faces
        if db.band == FULL_FACE:  # whole faces (build-eye-db --band full): any band can be cut from them
            return FaceSet(cut_bands(db.faces.images, band), db.faces.labels, db.faces.splits)
        raise ValueError(f"{path}: holds band {db.band}, but {band} is needed")
    faces = load_fer2013(path, cache_dir=cache_dir)
    return FaceSet(cut_bands(faces.images, band), faces.labels, faces.splits)


def counts_table(faces: FaceSet) -> list[list[str]]:
    """Rows: header, one per class, total; columns: class, each split, all."""
    table = faces.counts()
    rows = [["class", *SPLITS, "total"]]
    for i, label in enumerate(LABELS):
        rows.append([label, *map(str, table[:, i]), str(table[:, i].sum())])
    rows.append(["total", *map(str, table.sum(axis=1)), str(table.sum())])
    return rows


def mosaic(images: np.ndarray, columns: int = 8, scale: int = 3, gap: int = 2) -> np.ndarray:
    """Tile (N, h, w) uint8 images into one uint8 image, each upscaled `scale` times."""
    if len(images) == 0:
        raise ValueError("mosaic needs at least one image")
    tiles = images.repeat(scale, axis=1).repeat(scale, axis=2)
    rows = -(-len(tiles) // columns)
    h, w = tiles.shape[1:]
    canvas = np.full((rows * (h + gap) + gap, min(columns, len(tiles)) * (w + gap) + gap), 255, np.uint8)
    for k, tile in enumerate(tiles):
        r, c = divmod(k, columns)
        canvas[gap + r * (h + gap) : gap + r * (h + gap) + h, gap + c * (w + gap) : gap + c * (w + gap) + w] = tile
    return canvas


def build_eye_db(faces: FaceSet, band: Band, out_dir: str | Path, samples: int = 32, seed: int = 0) -> EyeDb:
    import cv2

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    db = EyeDb(FaceSet(cut_bands(faces.images, band), faces.labels, faces.splits), band)
    save_eye_db(db, out / DB_NAME)
    rows = counts_table(db.faces)
    (out / "counts.csv").write_text("\n".join(",".join(r) for r in rows) + "\n")
    markdown = ["| " + " | ".join(r) + " |" for r in rows]
    markdown.insert(1, "|" + " --- |" * len(rows[0]))
    (out / "counts.md").write_text("\n".join(markdown) + "\n")
    rng = np.random.default_rng(seed)
    for index, label in enumerate(LABELS):
        members = np.flatnonzero(db.faces.labels == index)
        if len(members):
            chosen = np.sort(rng.choice(members, size=min(samples, len(members)), replace=False))
            cv2.imwrite(str(out / f"mosaic_{label}.png"), mosaic(db.faces.images[chosen]))
    return db
