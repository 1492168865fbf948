"""`python -m inference benchmark LABELS.json [--markdown FILE]`

Analyses every labelled clip with the service's analysis options (`upload_options`: what the upload
worker runs) and scores the result by the labelled set's rules (inference/lab/benchmark.py): expression
episodes, blinks, eyes closed, looking away, distinct students, readable faces and the emotions read,
per clip and in total. --record stores the totals in the model card of the weights used, where the help
page reads them.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from types import SimpleNamespace

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from inference.classifier import DEFAULT_WEIGHTS, load_classifier, record_in_card
from inference.cli.analyze import add_analysis_arguments, parse_tiles
from inference.engagement import STUDENT_MIN_SECONDS, EngagementAggregator
from inference.lab import benchmark
from inference.lab.reports import header, module_command
from inference.pipeline import analyze_video, upload_options
from inference.records import EyeSignals


def add_arguments(parser) -> None:
    parser.add_argument("labels", help="labels.json of a labelled clip folder (the clips sit beside it)")
    parser.add_argument("--clips", nargs="+", help="only these clip files")
    add_analysis_arguments(parser)
    parser.add_argument("--weights", help="eye CNN weights (default: inference/weights/eye_cnn.keras)")
    parser.add_argument("--markdown", nargs="?", const="docs/benchmarks/labelled_clips.md", type=Path, metavar="FILE")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the scores as JSON")
    parser.add_argument("--record", action="store_true", help="store the totals in the weights' model card")


def is_away(aggregator: EngagementAggregator):
    """The engagement step's own facing rule, read back from a record in the result JSON."""

    def away(record: dict) -> bool | None:
        if not record.get("signals"):
            return None
        facing = aggregator.facing(SimpleNamespace(signals=EyeSignals(**record["signals"])))
        return None if facing is None else not facing

    return away


def main(args) -> int:
    labels_path = Path(args.labels)
    labels = json.loads(labels_path.read_text())
    clips = [c for c in labels["clips"] if not args.clips or c["file"] in args.clips]
    if not clips:
        raise ValueError(f"no clip of {labels_path} matches {args.clips}")
    options = upload_options(fps=args.fps or None, tiles=parse_tiles(args.tiles), flip_tta=args.flip)
    classifier = load_classifier(args.weights)
    away = is_away(EngagementAggregator())
    scores, seconds = [], 0.0
    for clip in clips:
        analysed: list[int] = []
        started = time.perf_counter()
        result = analyze_video(
            labels_path.parent / clip["file"],
            options,
            classifier=classifier,
            on_frame=lambda r, seen=analysed: seen.append(r.frame),
        )
        seconds += time.perf_counter() - started
        scores.append(benchmark.score_clip(clip, result.to_dict(), analysed, away, STUDENT_MIN_SECONDS))
        print(f"{clip['file']}: analysed", flush=True)
    text = benchmark.table(scores)
    print(text)
    if args.json:
        args.json.write_text(json.dumps(benchmark.to_json(scores), indent=1))
    if args.record:
        totals = {"clips": len(clips), "labels": labels_path.name, **benchmark.to_json(scores)["total"]}
        totals["report"] = str(args.markdown) if args.markdown else None
        print(f"recorded in {record_in_card(args.weights or DEFAULT_WEIGHTS, 'real_clips', totals)}")
    if args.markdown:
        facts = [
            f"clips: {len(clips)} from `{labels_path}`",
            f"analysis options: `{options.to_dict()}`",
            f"analysis time: {seconds:.1f} s",
        ]
        report = header("Labelled real clips", module_command("inference"), facts)
        args.markdown.parent.mkdir(parents=True, exist_ok=True)
        args.markdown.write_text(report + "\n" + benchmark.RULES + "\n\n" + text + "\n")
        print(f"report written to {args.markdown}")
    return 0
