"""Widen a trained eye CNN to more channels per block, computing the same function (Net2WiderNet):

    python -m research.widen inference/weights/eye_cnn.keras ~/.cache/eyeclass/wide/start.keras --widths 64,128,256

The card beside it is the narrow model's with the new widths and where they came from, so a warm
restart from it (`research.distillation --init`) counts the narrow model's stages and epochs.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

import keras

from inference.lab.model import ModelConfig
from inference.lab.widen import widen
from research.distillation import widths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("weights", type=Path, help="a trained eye CNN with its card beside it")
    parser.add_argument("out", type=Path, help="the wider model (.keras); its card is written beside it")
    parser.add_argument("--widths", type=widths, required=True, help="channels per block, e.g. 64,128,256")
    parser.add_argument("--seed", type=int, default=0, help="which channels are copied, and their shares")
    args = parser.parse_args()
    card = json.loads(args.weights.with_suffix(".json").read_text())
    config = ModelConfig.from_dict(card["config"]["model"])
    wide = widen(keras.saving.load_model(args.weights, compile=False), config, args.widths, args.seed)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    wide.save(args.out)
    card["config"]["model"]["widths"] = list(args.widths)
    card["widened"] = {"from": os.path.relpath(args.weights), "widths": list(config.widths), "seed": args.seed}
    args.out.with_suffix(".json").write_text(json.dumps(card, indent=2) + "\n")
    print(f"{args.out}: {wide.count_params():,} parameters (was {sum(config.widths)} channels, now {sum(args.widths)})")


if __name__ == "__main__":
    main()
