"""`python -m inference COMMAND ...` — the command-line face of the inference core.

Each command lives in its own module exposing `add_arguments(parser)` and `main(args) -> int`;
they are imported lazily so `--help` stays fast and one broken command cannot break the others.
"""

from __future__ import annotations

import argparse
import importlib
import sys

COMMANDS: dict[str, tuple[str, str]] = {
    "build-eye-db": ("inference.lab.cli.build_eye_db", "cut the eye band from FER2013 into a compact dataset"),
    "train": ("inference.lab.cli.train", "train the eye CNN (selects on PublicTest)"),
    "ensemble": ("inference.lab.cli.ensemble", "join trained eye CNNs into one model averaging their probabilities"),
    "evaluate": ("inference.lab.cli.evaluate", "score weights on a FER2013 split"),
    "calibrate": ("inference.lab.cli.calibrate", "fit temperature scaling on PublicTest, report ECE on PrivateTest"),
    "predict": ("inference.cli.predict", "classify aligned face crops"),
    "soft-labels": ("inference.lab.cli.soft_labels", "a teacher's probabilities for the Training faces (distillation)"),
    "features": ("inference.lab.cli.features", "what each CNN layer sees in an eye band, and a saliency map"),
    "analyze": ("inference.cli.analyze", "analyze a video: tracks, eye signals, emotions, events"),
    "benchmark": ("inference.lab.cli.benchmark", "score the analysis on labelled real clips"),
}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(prog="python -m inference", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (_, help_text) in COMMANDS.items():
        sub.add_parser(name, help=help_text, add_help=False)
    if not argv or argv[0] not in COMMANDS:
        parser.print_help()
        return 0 if not argv or argv[0] in ("-h", "--help") else 2
    module = importlib.import_module(COMMANDS[argv[0]][0])
    command = argparse.ArgumentParser(prog=f"python -m inference {argv[0]}", description=COMMANDS[argv[0]][1])
    module.add_arguments(command)
    args = command.parse_args(argv[1:])
    try:
        return int(module.main(args) or 0)
    except (FileNotFoundError, ValueError) as exc:  # bad input: a clear message, no traceback
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
