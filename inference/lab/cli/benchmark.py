"""`python -m inference benchmark LABELS.json [--markdown FILE]`

Analyses every labelled clip with the service's analysis options (`upload_options`: what the upload
worker runs) and scores the result by the labelled set's rules (inference/lab/benchmark.py): expression
episodes, blinks, eyes closed, looking away, distinct students, readable faces and the emotions read,
per clip and in total. --record stores the totals in the model card of the weights used, where the help
page reads them.

`--cv` cross-validates the tuned numbers (inference/lab/crossval.py): each clip is analysed once
(`--cache DIR` keeps those captures between runs), the grid is replayed on the captures, and the
report puts the held-out totals beside the in-sample ones and the defaults'.
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
from inference.lab import benchmark, crossval, replay, unit_response
from inference.lab.reports import header, module_command
from inference.pipeline import analyze_video, upload_options
from inference.records import EyeSignals
from inference.tuning import DEFAULT_TUNING


def add_arguments(parser) -> None:
    parser.add_argument("labels", help="labels.json of a labelled clip folder (the clips sit beside it)")
    parser.add_argument("--clips", nargs="+", help="only these clip files")
    add_analysis_arguments(parser)
    parser.add_argument("--weights", help="eye CNN weights (default: inference/weights/eye_cnn.keras)")
    parser.add_argument("--markdown", nargs="?", const="docs/benchmarks/labelled_clips.md", type=Path, metavar="FILE")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the scores as JSON")
    parser.add_argument("--record", action="store_true", help="store the totals in the weights' model card")
    parser.add_argument("--cv", action="store_true", help="leave-one-clip-out cross-validation of the tuned numbers")
    parser.add_argument("--cache", type=Path, metavar="DIR", help="with --cv: keep each clip's capture here")


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
    if args.cv:
        return cross_validated(args, labels_path, clips, options, classifier)
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


def cross_validated(args, labels_path: Path, clips: list[dict], options, classifier) -> int:
    captures, seconds, replayed = {}, 0.0, []
    weights = args.weights or DEFAULT_WEIGHTS
    for clip in clips:
        started = time.perf_counter()
        captures[clip["file"]] = replay.cached_capture(
            labels_path.parent / clip["file"], options, classifier, str(weights), args.cache
        )
        seconds += time.perf_counter() - started
        replayed.append(replay.replays_pipeline(captures[clip["file"]], DEFAULT_TUNING))
        print(f"{clip['file']}: captured", flush=True)

    def score(clip, result, analysed, tuning):
        facing = is_away(EngagementAggregator(tuning.facing))
        return benchmark.score_clip(clip, result, analysed, facing, STUDENT_MIN_SECONDS)

    scorer = crossval.Scorer(clips, captures, score, processes=os.cpu_count() or 1)
    started = time.perf_counter()
    folds, chosen, in_sample = crossval.cross_validate(scorer)
    defaults = tuple(
        {n: getattr(getattr(DEFAULT_TUNING, part), n) for n in crossval.GRIDS[part]} for part in crossval.STAGES
    )
    held_out = [f.score for f in folds]
    rows = {
        "**cross-validated** (each clip with values chosen on the others)": held_out,
        "in-sample (values chosen on all clips)": in_sample,
        "in-sample, the runtime's defaults": list(scorer.clip_scores(defaults[0], defaults[2], defaults[1]).values()),
    }
    for name, fixed in crossval.ABLATIONS.items():
        rows[f"cross-validated, {name}"] = [f.score for f in crossval.cross_validate(scorer, fixed)[0]]
    search = time.perf_counter() - started
    flips = crossval.unstable(folds)
    flipped = "; ".join(f"{n}: " + ", ".join(f"{v:g} x{c}" for v, c in counts.items()) for n, counts in flips.items())
    chosen_text = ", ".join(f"{k}={v:g}" for part in chosen for k, v in part.items())
    same = chosen == defaults
    text = "\n\n".join(
        [
            crossval.summary_table(rows),
            "Values chosen per fold (the held-out clip's row is what scored it):",
            crossval.choices_table(folds, chosen),
            f"Chosen on all clips: {chosen_text} ("
            + ("the runtime's defaults" if same else "NOT the runtime's defaults: update inference/tuning.py")
            + ").",
            f"Choices that differ between folds: {flipped or 'none'}.",
            "Held-out scores per clip:",
            benchmark.table(held_out),
            "Eye-region action units (inference/actionunits.py) on the labelled face, at the runtime's "
            "defaults: each unit's median over the frames of each labelled episode type, against its "
            "spread on calm spans, in % of the inter-ocular distance (AU43: % of the calm lid gap closed):",
            unit_response.table(
                [
                    unit_response.unit_rows(
                        clip, replay.replay(captures[clip["file"]], DEFAULT_TUNING, spotting=False)["frames"]
                    )
                    for clip in clips
                ]
            ),
        ]
    )
    print(text)
    if args.json:
        args.json.write_text(json.dumps({"cv": benchmark.to_json(held_out), "in_sample": benchmark.to_json(in_sample)}))
    if args.markdown:
        markdown = args.markdown
        if markdown == Path("docs/benchmarks/labelled_clips.md"):
            markdown = Path("docs/benchmarks/labelled_clips_cv.md")
        facts = [
            f"clips: {len(clips)} from `{labels_path}`",
            f"analysis options: `{options.to_dict()}`",
            "grids: " + "; ".join(f"{part} `{crossval.GRIDS[part]}`" for part in crossval.STAGES),
            f"replay at the defaults gives the pipeline's own events and flags: {sum(replayed)} of {len(clips)} clips",
            f"analysis (captures) {seconds:.1f} s, grid search {search:.1f} s",
        ]
        report = header("Labelled real clips, cross-validated", module_command("inference"), facts)
        markdown.parent.mkdir(parents=True, exist_ok=True)
        markdown.write_text(report + "\n" + crossval.__doc__.strip() + "\n\n" + benchmark.RULES + "\n\n" + text + "\n")
        print(f"report written to {markdown}")
    return 0
