"""Throughput of the analysis pipeline, measured in one run on the same clip and machine.

    python -m bench.throughput [--clip talk_single_face.mp4] [--weights W | --untrained]
                               [--repeat 3] [--no-fer] [--classroom] [--rooms] [--markdown [FILE]]

Rows (frames of video processed per second, model loading excluded):
- decode only (OpenCV, every frame);
- decode + face/landmark models: MediaPipe Face Detection + Face Mesh exactly as faces.py calls them
  (full frame, tiles, crop-mesh retries) — the floor our own steps cannot go below;
- for reference, decode + the two MediaPipe models called once each on the full frame;
- full analysis: SessionAnalyzer (shot cuts, tracking, alignment, batched eye CNN, eye signals,
  spotting, engagement, records), default options and with flip averaging — target >= 75% of the second row;
- the `fer` package (FER(mtcnn=False).detect_emotions per frame) when it is importable;
- with --classroom: the CCTV clip at 10 analysed fps with auto (5x3) tiles, as a real-time factor;
- with --rooms: classroom cameras at 352p, 720p, 1080p and 4K analysed as uploads are, as real-time
  factors with the faces found per frame (bench/rooms.py).
The passes are interleaved (one pass of every row, `--repeat` times) and each row keeps its fastest
pass, so a CPU shared with other jobs hurts every row alike; the load average is printed too.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path

import cv2
import numpy as np

from bench.report import Report, add_markdown_option
from bench.rooms import print_rooms, room_analysis, room_clips, temporary_folder
from inference.classifier import accelerate, load_classifier
from inference.faces import MediaPipeFaces
from inference.pipeline import AnalysisOptions, SessionAnalyzer
from inference.video import VideoReader

REPO = Path(__file__).resolve().parents[1]
VIDEOS = Path(os.environ.get("EYECLASS_SHARED_DIR", REPO.parent / "shared")) / "data" / "video"


def decode_only(path):
    return lambda: sum(1 for _ in VideoReader(path))


def decode_and_models(path, faces: MediaPipeFaces, fps=None):
    return lambda: sum(1 for frame in VideoReader(path, fps=fps) if faces(frame.image) is not None)


def decode_and_raw_models(path, det, mesh):
    def run() -> int:
        n = 0
        for frame in VideoReader(path):
            rgb = cv2.cvtColor(frame.image, cv2.COLOR_BGR2RGB)
            det.process(rgb)
            mesh.process(rgb)
            n += 1
        return n

    return run


def full_analysis(path, classifier, faces: MediaPipeFaces, fps=None, flip=False):
    """One pass = a fresh SessionAnalyzer over the clip (classifier already loaded and converted)."""
    options = AnalysisOptions(
        fps=fps, tiles=faces.tiles, emotions=classifier is not None, lite_cnn=False, flip_tta=flip
    )

    def run() -> int:
        n = 0
        with SessionAnalyzer(options, classifier=classifier, faces=faces) as session:
            for frame in VideoReader(path, fps=fps, prefetch=options.decode_ahead):
                session.push(frame.image, frame.time, frame.index)
                n += 1
            session.finish()
        return n

    return run


def fer_package(path):
    try:
        from fer import FER
    except ImportError:
        return None
    detector = FER(mtcnn=False)
    return lambda: sum(1 for frame in VideoReader(path) if detector.detect_emotions(frame.image) is not None)


def untrained():
    """An EyeClassifier around a freshly built (untrained) model: same compute as the real one."""
    from inference.classifier import EyeClassifier
    from inference.geometry import EYE_BAND
    from inference.lab.model import build_model

    return EyeClassifier(build_model(EYE_BAND.shape), {}, EYE_BAND)


def ready(classifier):
    """TF Lite conversion and first calls (graph building) done before any timing."""
    if classifier is None:
        return None
    classifier = accelerate(classifier)
    for n in (1, 2, 3, 5, 9, 17, 33, 65):  # every chunk size the runtime may build (TF Lite: powers of two)
        for flip in (True, False):
            classifier.predict_bands(np.zeros((n, *classifier.band.shape), np.uint8), flip=flip)
    return classifier


def main() -> None:
    import mediapipe as mp

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clip", default="talk_single_face.mp4")
    parser.add_argument("--weights", help="eye CNN weights (default: inference/weights/eye_cnn.keras)")
    parser.add_argument("--no-emotions", action="store_true", help="full analysis without the CNN")
    parser.add_argument("--untrained", action="store_true", help="speed only: CNN architecture, random weights")
    parser.add_argument("--no-fer", action="store_true")
    parser.add_argument("--classroom", action="store_true", help="also time the CCTV clip at 10 fps, auto tiles")
    parser.add_argument("--rooms", action="store_true", help="also time classroom cameras at 352p to 4K")
    parser.add_argument("--repeat", type=int, default=3, help="interleaved passes; each row keeps its fastest")
    add_markdown_option(parser, "throughput")
    args = parser.parse_args()
    report = Report(args.markdown, "Throughput of the analysis pipeline")
    path = VIDEOS / args.clip
    info = VideoReader(path).info
    classifier = None if args.no_emotions else (untrained() if args.untrained else load_classifier(args.weights))
    classifier = ready(classifier)
    runtime = "TF Lite" if classifier is not None and type(classifier.model).__name__ == "LiteModel" else "Keras"
    cnn = (", untrained eye CNN: speed only" if args.untrained else ", eye CNN batched") + f", {runtime}"
    faces = MediaPipeFaces(video=True)
    # the analyzer's own: crop-mesh passes are its landmark schedule's (inference/schedule.py)
    ours, room_faces = MediaPipeFaces(video=True, retries=False), MediaPipeFaces(tiles="auto", retries=False)
    det = mp.solutions.face_detection.FaceDetection(model_selection=1)
    mesh = mp.solutions.face_mesh.FaceMesh(max_num_faces=4, refine_landmarks=True)
    room = VIDEOS / "classroom_cctv.mp4"
    rows = {
        "decode only (OpenCV)": decode_only(path),
        "decode + face/landmark models (MediaPipe detection + mesh, as faces.py calls them)": decode_and_models(
            path, faces
        ),
        "(reference: decode + the two MediaPipe models once per full frame)": decode_and_raw_models(path, det, mesh),
        "full analysis (ours" + (cnn if classifier is not None else ", CNN off") + ", default options)": full_analysis(
            path, classifier, ours
        ),
    }
    if classifier is not None:
        rows["full analysis (ours" + cnn + ", with flip averaging: --flip)"] = full_analysis(
            path, classifier, ours, flip=True
        )
    fer = None if args.no_fer else fer_package(path)
    if fer is not None:
        rows["`fer` package (FER(mtcnn=False).detect_emotions per frame)"] = fer
    if args.classroom:
        rows["classroom"] = full_analysis(room, classifier, room_faces, fps=10)
    scratch = temporary_folder()
    rooms = room_clips(VIDEOS, Path(scratch.name)) if args.rooms else {}
    rows.update({name: room_analysis(clip, classifier) for name, clip in rooms.items()})
    load_before = os.getloadavg()[0]
    best: dict[str, tuple[float, int]] = {}
    for _ in range(max(1, args.repeat)):
        for name, run in rows.items():
            start = time.perf_counter()
            n = run()
            elapsed = time.perf_counter() - start
            if name not in best or elapsed < best[name][0]:
                best[name] = (elapsed, n)
    for closable in (faces, ours, room_faces, det, mesh):
        closable.close()

    print(
        f"Clip: {args.clip} ({info.width}x{info.height}, {info.fps:.2f} fps, {info.frame_count} frames); "
        f"{platform.machine()}, {os.cpu_count()} cores; best of {args.repeat} interleaved passes; "
        f"load average {load_before:.2f} before, {os.getloadavg()[0]:.2f} after\n"
    )
    print("| step | frames | seconds | fps |")
    print("|---|---|---|---|")
    fps = {}
    for name, (secs, n) in best.items():
        if name in rooms:
            continue
        fps[name] = n / secs
        if name != "classroom":
            print(f"| {name} | {n} | {secs:.2f} | {n / secs:.1f} |")
    names = [name for name in rows if name.startswith("full analysis")]
    floor = fps[list(rows)[1]]
    fer_name = next((name for name in rows if name.startswith("`fer`")), None)
    for name in names:
        variant = name[name.rindex(", ") + 2 : -1]
        line = f"\n{variant}: analysis fps = {100 * fps[name] / floor:.0f}% of decode + models fps"
        print(line + (f"; {fps[name] / fps[fer_name]:.1f}x the `fer` package." if fer_name else "."))
    if fer_name is None:
        print("`fer` package not importable here (measured before on this clip: 25.5 fps).")
    if args.classroom:
        secs, n = best["classroom"]
        duration = VideoReader(room).info.duration
        print(
            f"\nClassroom CCTV at 10 analysed fps, auto (5x3) tiles, default options: {n} frames in {secs:.2f} s for "
            f"{duration:.2f} s of video = {duration / secs:.2f}x real time."
        )
    if rooms:
        print_rooms(rooms, best)
    scratch.cleanup()
    report.save()


if __name__ == "__main__":
    main()
