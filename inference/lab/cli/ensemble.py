"""`python -m inference ensemble --members A.keras B.keras --data PATH --out W.keras`.

Joins trained eye CNNs of the same band into one model that averages their probabilities, and writes
its model card (members, PublicTest scores) beside it. Costs the members' CNN work added up.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

# what each member's card says about its training, copied into the ensemble's card
MEMBER_KEYS = (
    "config",
    "epochs",
    "total_epochs",
    "best_epoch",
    "continued_from",
    "stages",
    "weight_averaging",
    "hardware",
    "seconds_per_epoch",
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--members", nargs="+", required=True, help=".keras files, each with its card beside it")
    parser.add_argument("--data", required=True, help="FER2013 CSV(.gz) or image tree, or an eye_db.npz")
    parser.add_argument("--out", required=True, help="the ensemble's .keras file (card written beside it)")
    parser.add_argument("--cache-dir", default="data", help="where the parsed FER2013 CSV is cached ('' = none)")


def main(args: argparse.Namespace) -> int:
    from inference.classifier import EyeClassifier, predict_tta
    from inference.lab.eyedb import load_bands
    from inference.lab.model import ensemble
    from inference.lab.scores import score
    from inference.lab.training import CARRIED_KEYS

    if len(args.members) < 2:
        raise ValueError("an ensemble needs at least two members")
    members = [EyeClassifier.load(path) for path in args.members]
    band = members[0].band
    if any(member.band != band for member in members):
        raise ValueError("members must read the same band: " + ", ".join(str(m.card["band"]) for m in members))
    model = ensemble([member.model for member in members])
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    model.save(out)
    public = load_bands(args.data, band, cache_dir=args.cache_dir or None).split("PublicTest")
    scores = score(public.labels, predict_tta(model, public.images).argmax(axis=1))
    card = {
        "labels": members[0].card["labels"],
        "band": members[0].card["band"],
        "input": members[0].card["input"],
        "data": members[0].card["data"],
        "ensemble": [
            {
                "weights": str(path),
                **{key: member.card.get(key) for key in MEMBER_KEYS},
                "public_test_accuracy": member.card.get("public_test", {}).get("accuracy"),
                "private_test_accuracy": member.card.get("evaluation", {}).get("PrivateTest", {}).get("accuracy"),
            }
            for path, member in zip(args.members, members)
        ],
        "total_epochs": sum(member.card.get("total_epochs") or member.card.get("epochs") or 0 for member in members),
        "public_test": scores.to_dict(),
        "test_time_augmentation": "mean of the band and its horizontal mirror",
    }
    card.update({key: members[0].card[key] for key in CARRIED_KEYS if key in members[0].card})
    out.with_suffix(".json").write_text(json.dumps(card, indent=2) + "\n")
    print(
        f"wrote {out} and {out.with_suffix('.json')}: {len(members)} members, PublicTest (flip-averaged) accuracy "
        f"{scores.accuracy:.4f}"
    )
    return 0
