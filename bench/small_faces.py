"""Scale-down benchmark: how well head orientation is read when the same real faces are made small.

    python -m bench.small_faces [LABELS] [--sizes 10,14,20,30] [--fps 5] [--max-frames 80]
                                [--margins 2.5,3.5,5] [--markdown [FILE]]

No labels are needed for most of it: the largest face of each sampled frame of the labelled clips (and
talk_single_face.mp4) is measured by the Face Mesh on the full-size frame, the reference. Then the
whole frame is shrunk so that face is W px wide, set in a 640x360 canvas of its mean colour and passed
through JPEG at quality 75 (a room camera's stream), and read the way the analysis reads a face there:
the detector with "auto" tiles, then the crop mesh on the detected box (inference/headpose.py, its
margins tried in order). Per width it reports faces
found, pose known, yaw and pitch error against the reference, agreement of "facing" (head within the
facing limits) with the reference, and looking-away balanced accuracy on the labelled away intervals
against the calm ones, from the head alone (a small face has no readable eyes), beside the same score
of the full-size head: with the analysis's facing limits, and with head-only limits chosen on the other
clips (leave one clip out), the most the head alone tells. A last table analyses classroom_cctv.mp4
(17 students, faces 10-20 px) with the upload options: how many faces present had a head orientation,
and at what speed.

The trade-off of shrinking real close-ups instead of filming a room: the faces are real and their
reference pose is measured on the same frames, but a shrunk close-up is sharper than a far face
through a cheap lens, so errors here are a lower bound for a real ceiling camera.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from bench.report import Report, add_markdown_option
from inference.eyesignals import head_pose, head_within
from inference.faces import MediaPipeFaces
from inference.headpose import HeadOnly
from inference.lab.benchmark import FrameAccuracy, frame_accuracy, held, main_face
from inference.pipeline import analyze_video, upload_options
from inference.records import Box
from inference.tuning import DEFAULT_TUNING, HeadOnlyConfig
from inference.video import VideoReader

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data" / "video"
CANVAS = (640, 360)  # width, height: a room camera's frame at the upload default's scale
JPEG_QUALITY = 75


@dataclass
class Reading:
    """One reference face read at one width: found by the detector, and its pose when the mesh read it."""

    found: bool = False
    yaw: float | None = None
    pitch: float | None = None

    @property
    def facing(self) -> bool | None:
        limits = DEFAULT_TUNING.facing  # the analysis's own facing rule, head only (no iris at this size)
        return None if self.yaw is None else head_within(self.yaw, self.pitch, limits.yaw, limits.pitch)


# (yaw, pitch) limits in degrees a head-only looking-away rule is chosen from, leave one clip out
HEAD_GRID = tuple((yaw, pitch) for yaw in (8, 12, 16, 20, 25, 30) for pitch in (10, 15, 20, 25))


@dataclass
class AwayClip:
    """One labelled clip's readings at one width, kept so any facing limits can be scored on it."""

    readings: list[Reading | None]  # per sampled frame; None: no reference face
    holding: list[int | None]  # per video frame: the sampled frame it holds
    away: list
    calm: list

    def accuracy(self, yaw: float, pitch: float) -> FrameAccuracy:
        states = [
            r is None or not r.found or (r.yaw is not None and not head_within(r.yaw, r.pitch, yaw, pitch))
            for r in self.readings
        ]
        return frame_accuracy([True if i is None else states[i] for i in self.holding], self.away, self.calm)


def pooled(clips: list[AwayClip], limits: tuple[float, float]) -> FrameAccuracy:
    total = FrameAccuracy()
    for clip in clips:
        total = total + clip.accuracy(*limits)
    return total


def held_out(clips: list[AwayClip]) -> float | None:
    """Balanced accuracy of head-only limits chosen on the other clips (HEAD_GRID), pooled over the
    held-out clips: the most the head alone tells, without fitting the clip it is scored on."""
    total = FrameAccuracy()
    for k, clip in enumerate(clips):
        rest = clips[:k] + clips[k + 1 :]
        best = max(HEAD_GRID, key=lambda limits: pooled(rest, limits).balanced or 0.0)
        total = total + clip.accuracy(*best)
    return total.balanced


@dataclass
class SizeScore:
    faces: int = 0
    found: int = 0
    known: int = 0
    yaw_errors: list[float] = field(default_factory=list)
    pitch_errors: list[float] = field(default_factory=list)
    agree: int = 0
    away_clips: list[AwayClip] = field(default_factory=list)

    @property
    def away(self) -> FrameAccuracy:
        """Looking away with the analysis's own facing limits."""
        limits = DEFAULT_TUNING.facing
        return pooled(self.away_clips, (limits.yaw, limits.pitch))

    def add(self, reference: Reading, small: Reading) -> None:
        self.faces += 1
        self.found += small.found
        if small.yaw is not None:
            self.known += 1
            self.yaw_errors.append(abs(small.yaw - reference.yaw))
            self.pitch_errors.append(abs(small.pitch - reference.pitch))
            self.agree += small.facing == reference.facing


def shrink(frame: np.ndarray, box: Box, width: float, canvas: tuple[int, int] = CANVAS) -> tuple[np.ndarray, Box]:
    """The frame scaled so `box` is `width` px wide, centred in a canvas (at least `canvas`) of its mean
    colour and passed through JPEG; returns the new frame and where the box now is."""
    scale = width / box.w
    h, w = frame.shape[:2]
    sw, sh = max(1, round(w * scale)), max(1, round(h * scale))
    small = cv2.resize(frame, (sw, sh), interpolation=cv2.INTER_AREA)
    cw, ch = max(canvas[0], sw), max(canvas[1], sh)
    out = np.empty((ch, cw, 3), np.uint8)
    out[:] = frame.reshape(-1, 3).mean(axis=0).astype(np.uint8)
    x0, y0 = (cw - sw) // 2, (ch - sh) // 2
    out[y0 : y0 + sh, x0 : x0 + sw] = small
    ok, data = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
    sx, sy = sw / w, sh / h  # the rounding of the size, exactly
    moved = Box(x0 + box.x * sx, y0 + box.y * sy, box.w * sx, box.h * sy)
    return cv2.imdecode(data, cv2.IMREAD_COLOR), moved


def read_small(faces: MediaPipeFaces, config: HeadOnlyConfig, frame: np.ndarray, expected: Box) -> Reading:
    """Detector (tiled) then the head-only reading, as the analysis reads a face too small for its eyes."""
    rgb = cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)
    detected = [f for f in faces.detect(rgb) if f.box.iou(expected) >= 0.2]
    if not detected:
        return Reading()
    face = max(detected, key=lambda f: f.box.iou(expected))
    signals = HeadOnly(faces.mesh_crops, config).read(1, face.box, 0.0, frame)
    return Reading(found=True) if signals is None else Reading(True, signals.yaw, signals.pitch)


def reference_face(faces: MediaPipeFaces, frame: np.ndarray) -> tuple[Box, Reading] | None:
    meshed = [f for f in faces(frame) if f.landmarks is not None]
    if not meshed:
        return None
    face = max(meshed, key=lambda f: f.box.area)
    yaw, pitch, _ = head_pose(face.landmarks)
    return face.box, Reading(True, yaw, pitch)


def clips(labels: Path | None) -> Iterator[tuple[Path, dict | None]]:
    if labels is not None:
        for clip in json.loads(labels.read_text())["clips"]:
            yield labels.parent / clip["file"], clip
    talk = SHARED / "talk_single_face.mp4"
    if talk.exists():
        yield talk, None


def run_clip(path: Path, clip: dict | None, config, sizes, fps: float, max_frames: int, scores: dict, full: SizeScore):
    reference_faces = MediaPipeFaces((1, 1), video=False, threads=1)
    small_faces = MediaPipeFaces("auto", video=False, threads=1)
    readings: dict[object, list[Reading | None]] = {size: [] for size in (*sizes, "full")}
    analysed: list[int] = []
    try:
        for frame in VideoReader(path, fps=fps):
            if len(analysed) >= max_frames:
                break
            analysed.append(frame.index)
            ref = reference_face(reference_faces, frame.image)
            readings["full"].append(None if ref is None else ref[1])  # no face: away, as the benchmark counts it
            for size in sizes:
                if ref is None:
                    readings[size].append(None)
                    continue
                small, expected = shrink(frame.image, ref[0], size)
                reading = read_small(small_faces, config, small, expected)
                scores[size].add(ref[1], reading)
                readings[size].append(reading)
    finally:
        reference_faces.close()
        small_faces.close()
    if clip is None or not analysed:
        return
    face, n = main_face(clip), int(clip["frame_count"])
    positions = {f: i for i, f in enumerate(analysed)}
    holding = [positions.get(h) if h is not None else None for h in held(analysed, min(n, analysed[-1] + 1))]
    for size, read in readings.items():
        target = full if size == "full" else scores[size]
        target.away_clips.append(AwayClip(read, holding, face["away"], face["neutral"]))


def classroom(path: Path, config: HeadOnlyConfig) -> None:
    """The ceiling camera analysed as an upload: faces present, and how many had a head orientation."""
    started = time.perf_counter()
    result = analyze_video(
        path,
        upload_options(emotions=False),
        keep_frames=True,
        tuning=DEFAULT_TUNING.replace(**{f"heads.{name}": getattr(config, name) for name in ("margins",)}),
    )
    seconds = time.perf_counter() - started
    records = result.frames
    posed = sum(1 for r in records if r.signals is not None)
    eyes = sum(1 for r in records if r.readable)
    frames = max(result.video["analysed_frames"], 1)
    options = result.options
    print(f"\n{path.name}, upload options ({options['fps']:g} fps, tiles {options['tiles']}), no emotions:\n")
    print("| faces present per frame | eyes read | head orientation known | x real time (this machine, now) |")
    print("| ---: | ---: | ---: | ---: |")
    print(
        f"| {len(records) / frames:.1f} | {eyes / max(len(records), 1):.0%} | {posed / max(len(records), 1):.0%} "
        f"| {result.video['frame_count'] / result.video['fps'] / seconds:.2f} |"
    )


def fmt(value: float | None, pattern: str = "{:.2f}") -> str:
    return "—" if value is None else pattern.format(value)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("labels", type=Path, nargs="?", default=SHARED / "labelled" / "labels.json")
    parser.add_argument("--sizes", default="10,14,20,30", help="face widths in px")
    parser.add_argument("--fps", type=float, default=5.0, help="frames sampled per second of each clip")
    parser.add_argument("--max-frames", type=int, default=80, help="sampled frames per clip at most")
    parser.add_argument("--margins", help="crop margins tried in order (default: the analysis's, tuning.py)")
    parser.add_argument("--no-classroom", action="store_true", help="skip the classroom_cctv.mp4 table")
    add_markdown_option(parser, "small_faces")
    args = parser.parse_args()
    sizes = tuple(int(s) for s in args.sizes.split(","))
    config = DEFAULT_TUNING.heads
    if args.margins:
        config = dataclasses.replace(config, margins=tuple(float(m) for m in args.margins.split(",")))
    report = Report(args.markdown, "Head orientation of small faces (real faces scaled down)")
    scores = {size: SizeScore() for size in sizes}
    full = SizeScore()
    names = []
    for path, clip in clips(args.labels if args.labels.exists() else None):
        run_clip(path, clip, config, sizes, args.fps, args.max_frames, scores, full)
        names.append(path.name)
    print(f"clips: {len(names)} ({', '.join(names)}); {args.fps:g} frames per second, at most {args.max_frames} each")
    print(
        f"canvas {CANVAS[0]}x{CANVAS[1]}, JPEG quality {JPEG_QUALITY}; detector with auto tiles, then crop mesh "
        f"with margins {', '.join(f'{m:g}' for m in config.margins)} tried in order\n"
    )
    print(
        "| face width | faces | found | pose known | yaw error (median / p90, deg) | pitch error (median / p90) "
        "| facing agreement (read / all) | looking away, head only (balanced): facing limits / held-out limits |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    print(
        f"| full size (reference) | {scores[sizes[0]].faces} | — | — | — | — | — "
        f"| {fmt(full.away.balanced)} / {fmt(held_out(full.away_clips))} |"
    )
    for size in sizes:
        s = scores[size]
        errors = [(np.median(e), np.percentile(e, 90)) if e else None for e in (s.yaw_errors, s.pitch_errors)]
        print(
            f"| {size} px | {s.faces} | {fmt(s.found / max(s.faces, 1), '{:.0%}')} | "
            f"{fmt(s.known / max(s.faces, 1), '{:.0%}')} | "
            + " | ".join("—" if e is None else f"{e[0]:.1f} / {e[1]:.1f}" for e in errors)
            + f" | {fmt(s.agree / s.known if s.known else None)} / {fmt(s.agree / max(s.faces, 1))}"
            + f" | {fmt(s.away.balanced)} / {fmt(held_out(s.away_clips))} |"
        )
    print(
        "\nfacing: |yaw| and |pitch| within the analysis's facing ellipse (inference/tuning.py FacingConfig); "
        "agreement over the faces whose pose was read, then over all (unread = disagreeing); "
        "looking away: a face not found counts as away; held-out limits: the head-only (yaw, pitch) ellipse "
        "of HEAD_GRID that scores best on the other clips, scored on each clip left out (the labelled away "
        "intervals include glances of the eyes alone, which no head reading shows)."
    )
    cctv = SHARED / "classroom_cctv.mp4"
    if cctv.exists() and not args.no_classroom:
        classroom(cctv, config)
    report.save()


if __name__ == "__main__":
    main()
