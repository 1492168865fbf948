"""`python -m inference analyze VIDEO --out result.json [--csv FILE] [--annotated out.mp4]`

Streams the video through the pipeline. The JSON (`video`, `options`, `labels`, `frames`,
`tracks`, `events`, `seconds`) is written as the frames complete, so memory stays constant; the
CSV has one row per frame and track; the annotated video draws boxes, eye boxes, track IDs, the
top emotion and recent events. Outputs are written to a temporary name and renamed on success.
"""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # keep TensorFlow's C++ start-up notes off the terminal

import cv2

from inference.classifier import load_classifier
from inference.labels import LABELS
from inference.pipeline import AnalysisOptions, analyze_video, upload_options
from inference.records import FrameResult
from inference.summary import confidence, summarize
from inference.video import probe

UNITS = ("au1", "au2", "au4", "au5", "au6", "au7", "au43")
CSV_COLUMNS = ["frame", "time", "track", "openness_left", "openness_right", "eyes_unreadable", *LABELS, *UNITS]


def add_arguments(parser) -> None:
    parser.add_argument("video", help="video file (anything OpenCV/FFmpeg decodes)")
    parser.add_argument("--out", required=True, help="result JSON path")
    parser.add_argument("--csv", help="also write one row per frame and track")
    parser.add_argument("--annotated", help="also write an annotated video (mp4)")
    add_analysis_arguments(parser)
    parser.add_argument(
        "--landmark-passes", type=int, default=6, help="landmark passes per analysed frame; more faces take turns"
    )
    parser.add_argument("--weights", help="eye CNN weights (default: inference/weights/eye_cnn.keras)")
    parser.add_argument("--no-emotions", action="store_true", help="skip the eye CNN (no probabilities)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def add_analysis_arguments(parser) -> None:
    """--fps, --tiles and --flip, defaulting to the service's options (`upload_options`)."""
    defaults = upload_options()
    parser.add_argument(
        "--fps", type=float, default=defaults.fps, help=f"analysis rate, 0 = every frame (default {defaults.fps:g})"
    )
    parser.add_argument(
        "--tiles",
        default="x".join(map(str, defaults.tiles)) if isinstance(defaults.tiles, tuple) else defaults.tiles,
        help="detector tiles COLSxROWS, or 'auto' (~128 px tiles: 5x3 for 640x352 CCTV)",
    )
    parser.add_argument("--flip", action="store_true", help="average each eye band with its mirror image (2x CNN cost)")


def parse_tiles(text: str) -> tuple[int, int] | str:
    if text == "auto":
        return text
    try:
        cols, rows = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise ValueError(f"--tiles must look like 3x2, got {text!r}") from None
    if cols < 1 or rows < 1:
        raise ValueError("--tiles needs positive numbers")
    return cols, rows


class _Outputs:
    """The streaming writers (JSON frames, CSV rows, annotated video) fed one FrameResult at a time."""

    def __init__(self, args, json_handle, fps: float) -> None:
        self.json, self.first = json_handle, True
        self.csv_path = args.csv
        self.csv_handle = open(part_name(args.csv), "w", newline="") if args.csv else None
        self.csv = csv.writer(self.csv_handle) if self.csv_handle else None
        if self.csv:
            self.csv.writerow(CSV_COLUMNS)
        self.video_path, self.fps, self.writer = args.annotated, fps, None
        self.recent: list[tuple[float, str]] = []  # (until time, text) for drawn events

    def __call__(self, result: FrameResult) -> None:
        for face in result.faces:
            self.json.write(("\n" if self.first else ",\n") + json.dumps(face.to_dict()))
            self.first = False
            if self.csv:
                sig, probs = face.signals, face.probs or {}
                units = sig.units.to_dict() if sig and sig.units else {}
                self.csv.writerow(
                    [
                        face.frame,
                        f"{face.time:.4f}",
                        face.track,
                        _num(sig.openness_left if sig else None),
                        _num(sig.openness_right if sig else None),
                        int(not face.readable),
                        *(_num(probs.get(label)) for label in LABELS),
                        *(_num(units.get(unit)) for unit in UNITS),
                    ]
                )
        if self.video_path and result.image is not None:
            self._draw(result)

    def _draw(self, result: FrameResult) -> None:
        image = result.image.copy()
        if self.writer is None:
            h, w = image.shape[:2]
            self.writer = cv2.VideoWriter(part_name(self.video_path), cv2.VideoWriter_fourcc(*"mp4v"), self.fps, (w, h))
        for face in result.faces:
            b = face.box
            color = (0, 200, 0) if face.readable else (0, 165, 255)
            cv2.rectangle(image, (int(b.x), int(b.y)), (int(b.x + b.w), int(b.y + b.h)), color, 1)
            for e in face.eye_boxes:
                cv2.rectangle(image, (int(e.x), int(e.y)), (int(e.x + e.w), int(e.y + e.h)), (255, 200, 0), 1)
            text = f"#{face.track}" + (f" {face.top}" if face.top else "") + ("" if face.readable else " ?")
            cv2.putText(image, text, (int(b.x), max(10, int(b.y) - 4)), cv2.FONT_HERSHEY_SIMPLEX, 0.4, color, 1)
        self.recent = [(t, s) for t, s in self.recent if t >= result.time]
        self.recent += [
            (result.time + 1.0, f"#{e.track} {e.kind} {e.label or ''} {e.onset:.2f}s") for e in result.events
        ]
        for i, (_, text) in enumerate(self.recent[-4:]):
            cv2.putText(image, text, (8, 18 + 16 * i), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (0, 0, 255), 1)
        self.writer.write(image)

    def close(self, ok: bool) -> None:
        if self.csv_handle:
            self.csv_handle.close()
        if self.writer is not None:
            self.writer.release()
        for final in (self.csv_path, self.video_path):
            if final and os.path.exists(part_name(final)):
                if ok:
                    os.replace(part_name(final), final)
                else:
                    os.remove(part_name(final))


def part_name(path: str) -> str:
    """Where an output is written before it is complete: out.json -> out.part.json."""
    p = Path(path)
    return str(p.with_name(p.stem + ".part" + p.suffix))


def _num(value) -> str:
    return "" if value is None else f"{value:.4f}"


def main(args) -> int:
    info = probe(args.video)  # FileNotFoundError / ValueError before any output is created
    options = upload_options(
        fps=args.fps or None,
        tiles=parse_tiles(args.tiles),
        landmark_passes=args.landmark_passes,
        emotions=not args.no_emotions,
        flip_tta=args.flip,
        keep_images=bool(args.annotated),
        max_delay=16 if args.annotated else AnalysisOptions.max_delay,  # frames held for drawing
    )
    classifier = load_classifier(args.weights) if options.emotions else None
    progress = None
    if not args.no_progress:
        from tqdm import tqdm

        progress = tqdm(total=100, unit="%", desc=Path(args.video).name, leave=False)

    def on_progress(fraction: float) -> None:
        progress.update(int(fraction * 100) - progress.n)

    part, ok = part_name(args.out), False
    handle = open(part, "w")
    outputs = _Outputs(args, handle, fps=args.fps or info.fps or 25.0)
    try:
        handle.write('{"frames": [')
        result = analyze_video(
            args.video, options, on_progress if progress else None, outputs, classifier, keep_frames=False
        )
        rest = result.to_dict()
        rest.pop("frames")
        # what the session page shows: means, attention dips, and whether enough could be read
        rest["summary"] = summarize(rest)
        rest["confidence"] = confidence(rest["summary"])
        handle.write("\n],\n" + json.dumps(rest)[1:] + "\n")
        ok = True
    finally:
        handle.close()
        outputs.close(ok)
        if progress is not None:
            progress.close()
        if ok:
            os.replace(part, args.out)
        else:
            os.remove(part)
    print(
        f"{args.out}: {result.video['analysed_frames']} frames analysed, {len(result.tracks)} tracks, "
        f"{len(result.events)} events"
    )
    return 0
