"""`python -m inference train`: train the eye CNN on Training, select on PublicTest.

Resumable: rerun the same command with the same --out to continue after an interruption.
With --export, the best weights are copied (float32, no optimizer state) to a .keras file and a
model card (.json beside it) records the run.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from inference.geometry import EYE_BAND, FULL_FACE, Band


def parse_band(text: str) -> Band:
    """'eye', 'full' or 'TOP:BOTTOM' (rows of the 48x48 frame, full width)."""
    named = {"eye": EYE_BAND, "full": FULL_FACE}
    if text in named:
        return named[text]
    try:
        top, bottom = (int(v) for v in text.split(":"))
        band = Band(top, bottom)
    except (TypeError, ValueError):
        raise argparse.ArgumentTypeError(f"band must be eye, full or TOP:BOTTOM, not {text!r}") from None
    if not 0 <= top < bottom <= FULL_FACE.bottom:
        raise argparse.ArgumentTypeError(f"band rows must satisfy 0 <= TOP < BOTTOM <= {FULL_FACE.bottom}")
    return band


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", required=True, help="FER2013 CSV(.gz) or image tree, or an eye_db.npz")
    parser.add_argument("--out", required=True, help="run folder (checkpoints, history, state)")
    parser.add_argument("--band", type=parse_band, default=EYE_BAND, help="eye (default), full or TOP:BOTTOM")
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--widths", default="48,96,192", help="channels of the conv blocks")
    parser.add_argument("--lr", type=float, default=0.05, help="peak learning rate of the one-cycle schedule")
    parser.add_argument(
        "--bf16", action="store_true", help="mixed bfloat16 (fast on GPUs and on CPUs with AVX-512 BF16)"
    )
    parser.add_argument("--seed", type=int, default=1337)
    parser.add_argument("--subset", type=int, default=0, help="use only the first N training faces (quick runs)")
    parser.add_argument("--cache-dir", default="data", help="where the parsed FER2013 CSV is cached ('' = none)")
    parser.add_argument(
        "--swa",
        action="store_true",
        help="weight averaging: constant --lr after the warm-up, then average the last epochs' "
        "weights (how many: chosen on PublicTest); best with --init-weights of a trained model",
    )
    parser.add_argument("--teacher", help="soft labels of the Training faces (`python -m inference soft-labels`)")
    parser.add_argument("--kd-alpha", type=float, default=0.5, help="weight of the teacher in the targets")
    parser.add_argument("--kd-temperature", type=float, default=2.0, help="softening of the teacher")
    parser.add_argument(
        "--kd-loss",
        choices=("targets", "logits"),
        default="targets",
        help="targets: mix the teacher into the targets; logits: KL at T between teacher and student",
    )
    parser.add_argument("--init-weights", help="start a new run from these weights (.keras, same architecture)")
    parser.add_argument("--export", help="write the best weights here (.keras) with a model card beside it")
    parser.add_argument("--verbose", default="auto", help="Keras progress: auto, 0, 1 (bar) or 2 (line per epoch)")


def main(args: argparse.Namespace) -> int:
    from inference.lab.eyedb import load_bands
    from inference.lab.fer2013 import FaceSet
    from inference.lab.model import ModelConfig
    from inference.lab.training import TrainConfig, export, train, write_card

    config = TrainConfig(
        band=args.band,
        model=ModelConfig(widths=tuple(int(w) for w in args.widths.split(","))),
        epochs=args.epochs,
        batch_size=args.batch_size,
        peak_lr=args.lr,
        bfloat16=args.bf16,
        seed=args.seed,
        swa=args.swa,
        teacher=args.teacher,
        kd_alpha=args.kd_alpha,
        kd_temperature=args.kd_temperature,
        kd_loss=args.kd_loss,
    )
    data = load_bands(args.data, args.band, cache_dir=args.cache_dir or None)
    if args.subset:
        keep = (data.splits != 0) | ((data.splits == 0).cumsum() <= args.subset)
        data = FaceSet(data.images[keep], data.labels[keep], data.splits[keep])
    verbose = args.verbose if args.verbose == "auto" else int(args.verbose)
    state = train(data, config, args.out, verbose=verbose, init_weights=args.init_weights)
    print(f"best PublicTest accuracy {state['best_val_accuracy']:.4f} at epoch {state['best_epoch']}")
    if "averaging" in state:
        avg = state["averaging"]
        print(
            f"weight average of epochs {avg['epochs'][0]}-{avg['epochs'][1]}: PublicTest (flip-averaged) "
            f"{avg['public_test']:.4f}, best single epoch {avg['best_single_epoch_public_test']:.4f}; "
            f"export uses {'the average' if avg['used'] else 'the best epoch'}"
        )
    if args.export:
        model = export(args.out, args.export)
        card = write_card(model, state, data, Path(args.data).name, Path(args.export))
        print(
            f"wrote {args.export} and {Path(args.export).with_suffix('.json')}: PublicTest (flip-averaged) "
            f"accuracy {card['public_test']['accuracy']:.4f}"
        )
    return 0
