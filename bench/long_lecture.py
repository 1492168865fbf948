"""Long session: one >= 10-minute recording analysed in one pass and as chunks by 1, 2 and 4 processes.

    python -m bench.long_lecture [--minutes 10] [--workers 1 2 4] [--chunk 120] [--overlap 8] [--markdown [FILE]]

Builds the recording from the shared clips (../shared/data/video and its labelled/ folder), each fitted
into 640x360 and played in turn, repeated until it lasts --minutes. Analyses it with the upload options
in one pass (one process, as a worker does without chunks), then as chunks (inference/chunks.py) spread
over N worker processes, each loading the model once, as Celery workers do. Prints wall time, speed-up
over one pass, peak resident memory per worker process, the cost of one chunk (CPU seconds per second of
video, so a reader can work out a bigger machine), and how far the chunked result is from the one pass.
"""

from __future__ import annotations

import argparse
import math
import multiprocessing as mp
import os
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

from bench.report import Report, add_markdown_option

REPO = Path(__file__).resolve().parents[1]
VIDEO = REPO.parent / "shared" / "data" / "video"
SIZE, FPS = (640, 360), 20.0


def build_recording(minutes: float, out: Path) -> Path:
    import cv2

    clips = sorted(VIDEO.glob("*.mp4")) + sorted((VIDEO / "labelled").glob("*.mp4"))
    if not clips:
        raise SystemExit(f"no clips under {VIDEO}")
    writer = cv2.VideoWriter(str(out), cv2.VideoWriter_fourcc(*"mp4v"), FPS, SIZE)
    written, needed = 0, int(minutes * 60 * FPS)
    while written < needed:
        for clip in clips:
            cap = cv2.VideoCapture(str(clip))
            native = cap.get(cv2.CAP_PROP_FPS) or FPS
            i = 0
            while written < needed:
                ok, image = cap.read()
                if not ok:
                    break
                i += 1
                if int(i * FPS / native) == int((i - 1) * FPS / native):
                    continue  # resample to FPS by time
                writer.write(fit(image))
                written += 1
            cap.release()
    writer.release()
    return out


def fit(image: np.ndarray) -> np.ndarray:
    import cv2

    h, w = image.shape[:2]
    scale = min(SIZE[0] / w, SIZE[1] / h)
    small = cv2.resize(image, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA)
    canvas = np.zeros((SIZE[1], SIZE[0], 3), np.uint8)
    y, x = (SIZE[1] - small.shape[0]) // 2, (SIZE[0] - small.shape[1]) // 2
    canvas[y : y + small.shape[0], x : x + small.shape[1]] = small
    return canvas


_classifier = None


def _start_worker() -> None:
    global _classifier
    from inference.classifier import accelerate, load_classifier

    _classifier = accelerate(load_classifier())


def _chunk(args) -> tuple[dict, float]:
    from inference.chunks import ChunkPlan, analyse_chunk
    from inference.pipeline import upload_options

    path, plan = args
    started = time.process_time()
    part = analyse_chunk(path, ChunkPlan(**plan), upload_options(), _classifier)
    return part, time.process_time() - started


def tree_rss(pids: list[int]) -> dict[int, float]:
    out = {}
    for pid in pids:
        try:
            out[pid] = int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
        except (OSError, ValueError):
            pass
    return out


def chunked(path: Path, workers: int, chunk: float, overlap: float) -> tuple[dict, float, float, list[float]]:
    from inference.chunks import plan_chunks, stitch
    from inference.pipeline import upload_options
    from inference.video import probe

    info = probe(path)
    plans = [c.to_dict() for c in plan_chunks(info.duration, chunk, overlap)]
    pool = mp.get_context("spawn").Pool(workers, initializer=_start_worker)
    peak: dict[int, float] = {}
    running = True

    def sample():
        while running:
            for pid, mib in tree_rss([p.pid for p in pool._pool]).items():
                peak[pid] = max(peak.get(pid, 0.0), mib)
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    pool.map(_noop, range(workers))  # all workers loaded before the clock starts, as warm Celery workers are
    started = time.perf_counter()
    outputs = pool.map(_chunk, [(str(path), plan) for plan in plans], chunksize=1)
    result = stitch([part for part, _ in outputs], info.to_dict(), upload_options().min_inter_ocular).to_dict()
    wall = time.perf_counter() - started
    running = False
    pool.close()
    pool.join()
    return result, wall, max(peak.values()) if peak else math.nan, [cpu for _, cpu in outputs]


def _noop(_):
    return os.getpid()


def agreement(whole: dict, parts: dict) -> dict:
    rows = {r["second"]: r for r in whole["seconds"]}
    other = {r["second"]: r for r in parts["seconds"]}
    engagement, faces, mix = [], [], []
    for second, row in rows.items():
        twin = other.get(second)
        if twin is None:
            continue
        faces.append(abs(row["faces_present"] - twin["faces_present"]))
        if row["engagement"] is not None and twin["engagement"] is not None:
            engagement.append(abs(row["engagement"] - twin["engagement"]))
        if row["emotion_mix"] and twin["emotion_mix"]:
            mix.append(max(abs(row["emotion_mix"][k] - twin["emotion_mix"][k]) for k in row["emotion_mix"]))
    found = sum(1 for e in whole["events"] if any(_overlap(e, f) >= 0.5 for f in parts["events"]))
    kept = sum(1 for f in parts["events"] if any(_overlap(e, f) >= 0.5 for e in whole["events"]))
    precision = kept / len(parts["events"]) if parts["events"] else 1.0
    recall = found / len(whole["events"]) if whole["events"] else 1.0
    return {
        "seconds": f"{len(other)} / {len(rows)}",
        "engagement": float(np.percentile(engagement, 95)) if engagement else math.nan,
        "faces": float(np.percentile(faces, 95)) if faces else math.nan,
        "mix": float(np.percentile(mix, 95)) if mix else math.nan,
        "students": f"{_students(parts)} / {_students(whole)}",
        "events_f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0,
    }


def _overlap(a: dict, b: dict) -> float:
    inter = max(0.0, min(a["offset"], b["offset"]) - max(a["onset"], b["onset"]))
    union = max(a["offset"], b["offset"]) - min(a["onset"], b["onset"])
    return inter / union if union > 0 else 0.0


def _students(result: dict) -> int:
    return sum(1 for t in result["tracks"] if t["last_time"] - t["first_time"] >= 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--chunk", type=float, default=120.0, help="seconds per chunk (EYECLASS_CHUNK_SECONDS)")
    parser.add_argument("--overlap", type=float, default=8.0, help="EYECLASS_CHUNK_OVERLAP_SECONDS")
    add_markdown_option(parser, "long_lecture")
    args = parser.parse_args()
    report = Report(args.markdown, "Long lecture")  # the report keeps its name (docs/benchmarks/long_lecture.md)
    from inference.classifier import accelerate, load_classifier
    from inference.pipeline import analyze_video, upload_options
    from inference.video import probe

    with tempfile.TemporaryDirectory() as folder:
        path = build_recording(args.minutes, Path(folder) / "session.mp4")
        info = probe(path)
        print(
            f"recording: {info.duration / 60:.1f} min at {FPS:g} fps, {SIZE[0]}x{SIZE[1]}, the shared clips in turn; "
            f"analysed at {upload_options().fps:g} fps with the upload options; chunks of {args.chunk:g} s "
            f"overlapping {args.overlap:g} s; {os.cpu_count()} CPU cores\n"
        )
        classifier = accelerate(load_classifier())
        started = time.perf_counter()
        whole = analyze_video(path, upload_options(), classifier=classifier, keep_frames=False).to_dict()
        one_pass = time.perf_counter() - started
        rss = tree_rss([os.getpid()])[os.getpid()]
        print(
            "| run | wall s | x real time | speed-up | peak MiB per worker | CPU s per chunk (per video s) "
            "| seconds | engagement p95 diff | faces p95 diff | mix p95 diff | students | events F1 |"
        )
        print("| --- | ---: | ---: | ---: | ---: | --- | --- | ---: | ---: | ---: | --- | ---: |")
        print(
            f"| one pass, 1 process | {one_pass:.1f} | {info.duration / one_pass:.2f} | 1.00 | {rss:.0f} | — "
            f"| {len(whole['seconds'])} | — | — | — | {_students(whole)} | — |"
        )
        for n in args.workers:
            result, wall, peak, cpu = chunked(path, n, args.chunk, args.overlap)
            a = agreement(whole, result)
            per = np.mean(cpu) / args.chunk
            print(
                f"| {len(cpu)} chunks, {n} worker{'s' if n > 1 else ''} | {wall:.1f} | {info.duration / wall:.2f} "
                f"| {one_pass / wall:.2f} | {peak:.0f} | {np.mean(cpu):.0f} ({per:.2f}) | {a['seconds']} "
                f"| {a['engagement']:.3f} | {a['faces']:.3f} | {a['mix']:.3f} | {a['students']} "
                f"| {a['events_f1']:.2f} |",
                flush=True,
            )
    print(
        "\nCPU s per chunk counts the worker process's own threads; on this machine the workers share its "
        "cores, so the speed-up stops at about the core count. A machine with C cores and C workers would "
        "take about duration x (CPU s per video s) / C, plus the stitch."
    )
    report.save()


if __name__ == "__main__":
    main()
