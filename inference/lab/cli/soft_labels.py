"""`python -m inference soft-labels --teacher W [W ...] --data FER2013 --out FILE.npz`: a teacher's
probabilities for every Training face (flip-averaged, float16; the mean when several teachers are
given), the targets of a distilled student (`train --teacher`)."""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--teacher",
        required=True,
        nargs="+",
        help="the teacher's .keras (its card gives its band); several: their mean",
    )
    parser.add_argument("--data", required=True, help="FER2013 CSV(.gz) or image tree")
    parser.add_argument("--out", required=True, help="the soft-label file to write (.npz)")
    parser.add_argument("--cache-dir", default="data", help="where the parsed FER2013 CSV is cached ('' = none)")


def main(args: argparse.Namespace) -> int:
    from inference.lab.distill import write_soft_labels

    agree = write_soft_labels(args.teacher, args.data, args.out, cache_dir=args.cache_dir or None)
    print(f"wrote {args.out}: the teacher agrees with {agree:.1%} of the Training labels")
    return 0
