"""`python -m inference build-eye-db --fer2013 PATH --out DIR`: cut the eye band from every face.

Writes DIR/eye_db.npz, DIR/counts.csv, DIR/counts.md and DIR/mosaic_<label>.png.
"""

from __future__ import annotations

import argparse

from inference.geometry import EYE_BAND
from inference.lab.cli.train import parse_band


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--fer2013", required=True, help="FER2013 CSV(.gz) or image tree (train/, test/)")
    parser.add_argument("--out", required=True, help="output folder")
    parser.add_argument("--band", type=parse_band, default=EYE_BAND, help="eye (default), full or TOP:BOTTOM")
    parser.add_argument("--samples", type=int, default=32, help="faces per class mosaic")
    parser.add_argument("--seed", type=int, default=0, help="which faces the mosaics show")


def main(args: argparse.Namespace) -> int:
    from inference.lab.eyedb import DB_NAME, build_eye_db, counts_table
    from inference.lab.fer2013 import load_fer2013

    db = build_eye_db(load_fer2013(args.fer2013), args.band, args.out, samples=args.samples, seed=args.seed)
    print(
        f"band rows {db.band.top}-{db.band.bottom}, columns {db.band.left}-{db.band.right} "
        f"({db.band.height}x{db.band.width}); wrote {args.out}/{DB_NAME}, counts and mosaics"
    )
    for row in counts_table(db.faces):
        print("".join(cell.rjust(12) for cell in row))
    return 0
