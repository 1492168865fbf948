"""Distillation ablation: a full-face teacher, its soft labels, and an eye student against an otherwise
identical run without the teacher and against the model both started from; PublicTest decides,
PrivateTest is reported once for all.

    python -m research.distillation ../shared/data/fer2013/fer2013.csv.gz --markdown

Every run is resumable: rerun the same command and finished runs are reused, so a long ablation can be
stopped and continued. The same script runs on a GPU (`KERAS_BACKEND=jax` where there is no TensorFlow),
so its seconds per epoch compare hardware on identical work. The defaults fit a 2-core CPU in
about an hour and a half: a short teacher and short warm restarts of the shipped model; pass the wider
recipe where a GPU is lent. `--teacher W` learns from a model already trained instead of the full-face
teacher (self-distillation when W is also `--init`). `--soft-labels F` reuses a teacher's stored
probabilities, and `--control W` takes a model already trained the same epochs from the same start
without the teacher, so a long student need not train its control again. `--epochs 24,30 --seed 11,13`
trains a chain of warm restarts, each from the one before, as the shipped model's stages were; a
finished cycle's exported weights and card (run/student/cycleN/model.*) are enough to continue it.
`--kd-loss logits` trains the student on Hinton's loss instead of targets mixed with the teacher.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import functools
import json
import os
import sys
from pathlib import Path

import numpy as np

from bench.report import Report, add_markdown_option
from inference.classifier import DEFAULT_WEIGHTS, record_in_card
from inference.geometry import EYE_BAND, FULL_FACE, Band
from inference.lab.distill import load_soft_labels, soft_label_scores, teacher_probabilities, write_soft_labels
from inference.lab.eyedb import load_bands
from inference.lab.fer2013 import FaceSet
from inference.lab.model import ModelConfig
from inference.lab.scores import Scores, score
from inference.lab.training import TrainConfig, export, train, write_card

# The shipping rule of docs/model.md, fixed before PrivateTest is looked at.
MIN_GAIN = 0.005


def widths(text: str) -> tuple[int, ...]:
    return tuple(int(w) for w in text.split(","))


@functools.cache
def bands(data_path: Path, band: Band) -> FaceSet:
    """The faces cut to `band`, parsed once per process and cached under data/ as the CLI does."""
    return load_bands(data_path, band, cache_dir="data")


def trained(run: Path, data_path: Path, config: TrainConfig, init: str | None = None) -> tuple[Path, dict]:
    """Trains (or resumes, or reuses) one run and exports its best epoch with a card beside it. An
    exported model whose card holds this config and all its epochs is reused without its run state, so
    a finished cycle can be kept small (weights and card) and a chain continued elsewhere."""
    weights = run / "model.keras"
    if weights.exists() and not (run / "state.json").exists():
        card = json.loads(weights.with_suffix(".json").read_text())
        if card["config"] == config.to_dict() and card["epochs"] == config.epochs:  # this run's epochs only
            reused = {"epoch": card["epochs"], "init_weights": card.get("continued_from")}
            return weights, card_as_state(weights) | reused
    data = bands(data_path, config.band)
    with contextlib.redirect_stdout(sys.stderr):  # Keras' progress lines stay out of the report
        state = train(data, config, run, verbose=2, init_weights=init)
    if not weights.exists() or json.loads(weights.with_suffix(".json").read_text())["epochs"] != state["epoch"]:
        write_card(export(run, weights), state, data, data_path.name, weights)
    return weights, state


def chain(run: Path, data_path: Path, configs: list[TrainConfig], init: str | None) -> tuple[Path, dict]:
    """One run, or warm restarts each starting from the one before (run/cycle1, run/cycle2, ...)."""
    if len(configs) == 1:
        return trained(run, data_path, configs[0], init)
    for i, config in enumerate(configs, 1):
        weights, state = trained(run / f"cycle{i}", data_path, config, init)
        init = str(weights)
    return weights, state


@functools.cache
def scores(models: tuple[str, ...], data_path: Path, split: str) -> Scores:
    """Flip-averaged scores of one model, or of the mean of several; a model that is both the start and
    the teacher is run once."""
    labels, probs = teacher_probabilities(models, data_path, split)
    return score(labels, probs.argmax(axis=1))


def row(state: dict, public: Scores, private: Scores) -> dict:
    start = state.get("init_weights")  # a warm restart counts the epochs of the model it started from
    before = card_as_state(Path(start))["epoch"] if start and Path(start).exists() else 0
    return {
        "widths": state["config"]["model"]["widths"],
        "epochs": before + state["epoch"],
        "seconds_per_epoch": round(float(np.median(state["seconds_per_epoch"])), 1),
        "hardware": state["hardware"],
        "PublicTest_accuracy": round(public.accuracy, 4),
        "PublicTest_macro_f1": round(public.macro_f1, 4),
        "PrivateTest_accuracy": round(private.accuracy, 4),
        "PrivateTest_macro_f1": round(private.macro_f1, 4),
    }


def card_as_state(weights: Path) -> dict:
    """A trained model's card read as a run state, for the report's row of the model a run started from."""
    card = json.loads(weights.with_suffix(".json").read_text())
    seconds = card.get("seconds_per_epoch") or 0.0
    epochs = card.get("total_epochs") or card["epochs"]
    return {"config": card["config"], "epoch": epochs, "seconds_per_epoch": [seconds], "hardware": card["hardware"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path, help="FER2013 CSV(.gz)")
    parser.add_argument("--runs", type=Path, default=Path("data/runs/distillation"), help="run folders")
    parser.add_argument("--teacher-widths", type=widths, default=(48, 96, 192))
    parser.add_argument("--teacher-epochs", type=int, default=15)
    parser.add_argument("--teacher-lr", type=float, default=0.05)
    parser.add_argument("--teacher-seed", type=int, default=1337)
    parser.add_argument(
        "--teacher",
        action="append",
        default=[],
        metavar="WEIGHTS",
        help="a trained model to learn from instead of training the full-face teacher (repeatable: their mean)",
    )
    parser.add_argument("--soft-labels", type=Path, help="a teacher's stored soft labels (skips the teacher)")
    parser.add_argument("--control", help="a model trained without the teacher from the same start (skips the control)")
    parser.add_argument("--widths", type=widths, default=(48, 96, 192), help="the eye student's (and control's)")
    parser.add_argument(
        "--init",
        default=str(DEFAULT_WEIGHTS),
        help="student and control start here, default the shipped model ('' = scratch)",
    )
    parser.add_argument("--epochs", type=widths, default=(10,), help="epochs, or one per warm restart: 24,30")
    parser.add_argument("--lr", type=float, default=0.01)
    parser.add_argument("--alpha", type=float, default=0.5)
    parser.add_argument("--temperature", type=float, default=2.0)
    parser.add_argument(
        "--kd-loss",
        choices=("targets", "logits"),
        default="targets",
        help="targets: mix the teacher into the targets; logits: Hinton's KL at T (inference/lab/distill.py)",
    )
    parser.add_argument("--seed", type=widths, default=(19,), help="seed, or one per warm restart")
    parser.add_argument(
        "--bf16", action="store_true", help="mixed bfloat16 (faster on AMX or AVX512-BF16 CPUs); exported float32"
    )
    parser.add_argument("--record", metavar="WEIGHTS", help="store the ablation in the card beside WEIGHTS")
    add_markdown_option(parser, "distillation")
    args = parser.parse_args()
    given = [os.path.relpath(w) for w in args.teacher]
    title = f"Distillation from {' + '.join(given)}" if given else "Distillation from a full-face teacher"
    report = Report(args.markdown, title)

    runs = {}
    if args.soft_labels:
        teachers = [str(np.load(args.soft_labels)["teacher"])]
    elif args.teacher:
        teachers = args.teacher
    else:
        teacher_config = TrainConfig(
            band=FULL_FACE,
            model=ModelConfig(widths=args.teacher_widths),
            epochs=args.teacher_epochs,
            peak_lr=args.teacher_lr,
            seed=args.teacher_seed,
        )
        runs["teacher (full face)"] = trained(args.runs / "teacher", args.data, teacher_config)
        teachers = [str(runs["teacher (full face)"][0])]
    soft = args.soft_labels or args.runs / "soft_labels.npz"
    args.runs.mkdir(parents=True, exist_ok=True)
    if not args.soft_labels and (not soft.exists() or str(np.load(soft)["teacher"]) != " + ".join(teachers)):
        write_soft_labels(teachers, args.data, soft)
    labels = bands(args.data, EYE_BAND).split("Training").labels
    agree = float(np.mean(load_soft_labels(soft, labels).argmax(axis=1) == labels))
    seeds = args.seed * len(args.epochs) if len(args.seed) == 1 else args.seed
    if len(seeds) != len(args.epochs):
        parser.error("--seed takes one seed or one per --epochs entry")
    controls = [
        TrainConfig(
            band=EYE_BAND,
            model=ModelConfig(widths=args.widths),
            epochs=epochs,
            peak_lr=args.lr,
            seed=seed,
            bfloat16=args.bf16,
        )
        for epochs, seed in zip(args.epochs, seeds, strict=True)
    ]
    kd = dict(teacher=str(soft), kd_alpha=args.alpha, kd_temperature=args.temperature, kd_loss=args.kd_loss)
    students = [dataclasses.replace(config, **kd) for config in controls]
    init = args.init or None
    # The student first: where a run outlives the machine, the candidate's score is what decides soonest.
    student_run = chain(args.runs / "student", args.data, students, init)
    control_run = (
        (Path(args.control), card_as_state(Path(args.control)))
        if args.control
        else chain(args.runs / "control", args.data, controls, init)
    )
    runs |= {"eye, no teacher": control_run, "eye, distilled": student_run}
    shipped = Path(DEFAULT_WEIGHTS)
    if init and Path(init).resolve() == shipped.resolve():
        runs["eye, the start (shipped)"] = (shipped, card_as_state(shipped))
    else:
        if init:
            runs["eye, the start"] = (Path(init), card_as_state(Path(init)))
        runs["eye, shipped"] = (shipped, card_as_state(shipped))
    public = {name: scores((str(weights),), args.data, "PublicTest") for name, (weights, _) in runs.items()}
    control, student = public["eye, no teacher"], public["eye, distilled"]
    shipped_score = public.get("eye, the start (shipped)") or public["eye, shipped"]
    above = [score for name, score in public.items() if name.startswith(("eye, the start", "eye, shipped"))]
    wins = (
        student.accuracy - control.accuracy >= MIN_GAIN
        and student.macro_f1 >= control.macro_f1
        and all(student.accuracy > other.accuracy for other in above)
    )
    private = {name: scores((str(weights),), args.data, "PrivateTest") for name, (weights, _) in runs.items()}

    rows = {}
    if args.teacher:  # a given teacher is scored too, after the decision like PrivateTest
        scored_only = {**runs["eye, no teacher"][1], "epoch": 0, "seconds_per_epoch": [0]}
        split_scores = [scores(tuple(teachers), args.data, split) for split in ("PublicTest", "PrivateTest")]
        rows[f"teacher: {' + '.join(given)}"] = row(scored_only, *split_scores)
    stored = soft_label_scores(args.soft_labels) if args.soft_labels else {}
    if stored:  # the teacher is not kept; its scores were stored with its soft labels
        rows["teacher (its stored scores)"] = {"epochs": 0} | {
            f"{split}_{key}": stored[split][key] for split in stored for key in ("accuracy", "macro_f1")
        }
    rows |= {name: row(state, public[name], private[name]) for name, (_, state) in runs.items()}
    gain = student.accuracy - control.accuracy
    decision = "ship" if wins else "keep the shipped model"
    hardware = runs["eye, distilled"][1]["hardware"]
    init_from = os.path.relpath(init) if init else None
    cycles, cycles_seeds = " + ".join(map(str, args.epochs)), " + ".join(map(str, seeds))
    print(f"data: {args.data.name}; trained on Training, chosen on PublicTest, PrivateTest reported once")
    print(
        f"hardware: {hardware['cpu']}, {hardware['cpu_count']} cores, accelerator "
        f"{hardware.get('accelerator') or 'none'}; Keras {hardware['keras']} on {hardware['backend']}"
    )
    print(f"soft labels: the teacher's top class is the label of {agree:.1%} of the Training faces")
    print(
        f"student and control: from {init_from or 'scratch'}, epochs {cycles}, seeds {cycles_seeds}, "
        f"peak lr {args.lr}; "
        f"distillation alpha {args.alpha}, temperature {args.temperature}, loss on {args.kd_loss}; "
        "scores flip-averaged\n"
    )
    print(
        "| model | widths | epochs | s / epoch | PublicTest acc | PublicTest macro-F1 | PrivateTest acc | "
        "PrivateTest macro-F1 |"
    )
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, r in rows.items():
        trained_here = r["epochs"] > 0  # a given teacher is scored, not trained
        shape = (
            ("-".join(map(str, r["widths"])), r["epochs"], f"{r['seconds_per_epoch']:.0f}")
            if trained_here
            else ("—",) * 3
        )
        print(
            f"| {name} | {' | '.join(map(str, shape))} | "
            f"{r['PublicTest_accuracy']:.4f} | {r['PublicTest_macro_f1']:.4f} | {r['PrivateTest_accuracy']:.4f} | "
            f"{r['PrivateTest_macro_f1']:.4f} |"
        )
    print(
        f"\nrule: ship the student when it beats the control by >= {MIN_GAIN * 100:.1f} points of PublicTest "
        f"accuracy without a lower PublicTest macro-F1, and the models it started from and shipped: {decision} "
        f"({gain * 100:+.2f} points, macro-F1 {(student.macro_f1 - control.macro_f1) * 100:+.2f}"
        + (f"; {(student.accuracy - shipped_score.accuracy) * 100:+.2f} points over the shipped model)")
    )
    if args.record:
        distillation = {
            "report": os.path.relpath(args.markdown) if args.markdown else None,
            "command": " ".join(["python -m research.distillation", *sys.argv[1:]]),
            "soft_label_agreement": round(agree, 4),
            "alpha": args.alpha,
            "temperature": args.temperature,
            "loss": args.kd_loss,
            "init_weights": init_from,
            "runs": rows,
            "rule": f"student >= control + {MIN_GAIN} PublicTest accuracy, macro-F1 not lower, above start and shipped",
            "decision": decision,
        }
        print(f"recorded in {record_in_card(args.record, 'distillation', distillation)}")
    report.save()


if __name__ == "__main__":
    main()
