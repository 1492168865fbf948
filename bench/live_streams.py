"""Live-mode load: N simulated cameras stream JPEG frames over websockets to a local EyeClass.

    python -m bench.live_streams --streams 1 8 --fps 5 --seconds 20 [--video ../shared/data/video/talk_single_face.mp4]
                                 [--upload CLIP] [--markdown [FILE]]

Starts `manage.py serve` (the web server, the upload worker and the live worker) on a free loopback port
against the configured database (DATABASE_URL, else the SQLite file) and REDIS_URL if set, logs in a bench
teacher, and for each N runs N clients for a bounded time. Prints frame->result latency p50/p95, results
per second, and the frames dropped (workers behind) and rejected, and the app's resident memory (all its
processes) after each level: repeat a level (`--streams 1 8 8 8`) to see that it stays flat. With `--upload CLIP`, each
level starts with an upload of CLIP (repeated to `--upload-seconds`) queued for analysis, so the streams
run while it is analysed (the table says how far it got). Loopback only; every loop is bounded in time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "eyeclass.settings")

import cv2  # noqa: E402
import django  # noqa: E402
import numpy as np  # noqa: E402

django.setup()

import websockets  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.report import Report, add_markdown_option  # noqa: E402
from eyeclass.classrooms.models import Classroom  # noqa: E402
from eyeclass.lectures import lifecycle  # noqa: E402
from eyeclass.lectures.models import Session  # noqa: E402
from eyeclass.lectures.uploads import inspect_video  # noqa: E402
from eyeclass.live.views import pick_worker  # noqa: E402
from eyeclass.ops.models import WorkerHeartbeat  # noqa: E402


def load_frames(video: Path, limit: int = 300, width: int = 480) -> list[bytes]:
    cap = cv2.VideoCapture(str(video))
    frames = []
    while len(frames) < limit:
        ok, image = cap.read()
        if not ok:
            break
        scale = width / image.shape[1]
        image = cv2.resize(image, (width, round(image.shape[0] * scale)))
        frames.append(cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 75])[1].tobytes())
    if not frames:
        raise SystemExit(f"{video}: no frames")
    return frames


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def stream(url: str, cookie: str, frames: list[bytes], fps: float, seconds: float) -> dict:
    sent_at: dict[int, float] = {}
    latencies: list[float] = []
    counts = {"sent": 0, "results": 0, "dropped": 0, "rejected": 0, "errors": 0}
    async with websockets.connect(
        url, additional_headers={"Cookie": cookie, "Origin": "http://127.0.0.1"}, max_size=2**22
    ) as ws:
        json.loads(await ws.recv())  # hello

        async def sender():
            start = time.monotonic()
            for seq in range(int(seconds * fps)):
                await asyncio.sleep(max(0.0, start + seq / fps - time.monotonic()))
                sent_at[seq] = time.monotonic()
                await ws.send(struct.pack(">I", seq) + frames[seq % len(frames)])
                counts["sent"] += 1

        async def receiver():
            async for raw in ws:
                message = json.loads(raw)
                if message["type"] == "result" and message["seq"] in sent_at:
                    latencies.append((time.monotonic() - sent_at.pop(message["seq"])) * 1000)
                    counts["results"] += 1
                elif message["type"] == "error":
                    counts["errors"] += 1
                    if counts["errors"] == 1:
                        print("error from the server:", message["error"], file=sys.stderr)
                elif message["type"] == "dropped":
                    counts["dropped" if message["reason"] == "busy" else "rejected"] += 1
                    sent_at.pop(message["seq"], None)
                elif message["type"] == "stopped":
                    return

        receiving = asyncio.create_task(receiver())
        await sender()
        await asyncio.sleep(3)  # let the last results arrive
        await ws.send(json.dumps({"type": "stop"}))  # as the teacher's stop button: the session is saved
        try:
            await asyncio.wait_for(receiving, timeout=60)
        except TimeoutError:
            counts["errors"] += 1
            print("the session did not stop within 60 s", file=sys.stderr)
    return {"latencies": latencies, **counts}


def live_sessions(classroom, n: int, label: str) -> list[str]:
    worker = pick_worker()
    return [
        Session.objects.create(
            classroom=classroom,
            title=f"bench {label}.{i}",
            source="live",
            status="live",
            live_worker=worker,
            started_at=timezone.now(),
        ).pk
        for i in range(n)
    ]


async def first_result(url: str, cookie: str, frame: bytes, timeout: float) -> float:
    """Send a frame a second until one comes back analysed (the worker is warm); seconds it took."""
    start = time.monotonic()
    async with websockets.connect(
        url, additional_headers={"Cookie": cookie, "Origin": "http://127.0.0.1"}, max_size=2**22
    ) as ws:
        json.loads(await ws.recv())  # hello
        seq = 0
        while time.monotonic() - start < timeout:
            await ws.send(struct.pack(">I", seq) + frame)
            seq += 1
            try:
                while True:
                    message = json.loads(await asyncio.wait_for(ws.recv(), timeout=1.0))
                    if message["type"] == "result":
                        await ws.send(json.dumps({"type": "stop"}))
                        return time.monotonic() - start
            except TimeoutError:
                continue
    raise SystemExit(f"the worker analysed no frame within {timeout:g} s")


def tree_rss_mib(root: int) -> float:
    """Resident memory of a process and all its descendants (daphne, the worker and its pool), MiB."""
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue  # the process ended meanwhile
    tree, frontier = {root}, [root]
    while frontier:
        current = frontier.pop()
        children = [pid for pid, parent in parents.items() if parent == current]
        tree.update(children)
        frontier += children
    pages = 0
    for pid in tree:
        try:
            pages += int(Path(f"/proc/{pid}/statm").read_text().split()[1])
        except (OSError, IndexError, ValueError):
            continue
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def looped(clip: Path, seconds: float, folder: Path) -> Path:
    """`clip` repeated until it lasts `seconds` (a long recording from a short one)."""
    cap = cv2.VideoCapture(str(clip))
    fps, frames = cap.get(cv2.CAP_PROP_FPS) or 25.0, []
    while True:
        ok, image = cap.read()
        if not ok:
            break
        frames.append(image)
    cap.release()
    out = folder / f"{clip.stem}_{seconds:g}s.mp4"
    height, width = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(out), cv2.VideoWriter_fourcc(*"mp4v"), fps, (width, height))
    for i in range(int(seconds * fps)):
        writer.write(frames[i % len(frames)])
    writer.release()
    return out


def queue_upload(classroom, clip: Path) -> Session:
    """An uploaded recording of `clip`, queued for analysis as the upload page does."""
    session = Session(classroom=classroom, title=f"bench upload {clip.name}", video_name=clip.name)
    session.video_file = Session.new_video_file(clip.name)
    session.video_path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(clip, session.video_path)
    facts = inspect_video(session.video_path)
    session.width, session.height, session.fps, session.duration = facts.width, facts.height, facts.fps, facts.duration
    with transaction.atomic():
        session.save()
        lifecycle.enqueue(session)
    return session


def upload_state(session: Session | None) -> str:
    if session is None:
        return "none"
    session.refresh_from_db()
    return f"{session.status} {session.progress:.0%}"


def run_level(
    port: int, cookie: str, classroom, frames, n: int, fps: float, seconds: float, server_pid: int, upload
) -> str:
    urls = [f"ws://127.0.0.1:{port}/ws/live/{pk}/" for pk in live_sessions(classroom, n, str(n))]
    uploaded = queue_upload(classroom, upload) if upload else None
    if uploaded is not None:  # the streams start once its analysis has
        deadline = time.monotonic() + 60
        while upload_state(uploaded).startswith("queued") and time.monotonic() < deadline:
            time.sleep(0.2)

    async def all_streams():
        return await asyncio.gather(*(stream(url, cookie, frames, fps, seconds) for url in urls))

    started = time.monotonic()
    results = asyncio.run(asyncio.wait_for(all_streams(), timeout=seconds + 120))
    elapsed = time.monotonic() - started
    latencies = (
        np.array([x for r in results for x in r["latencies"]])
        if any(r["latencies"] for r in results)
        else np.array([np.nan])
    )
    total = {k: sum(r[k] for r in results) for k in ("sent", "results", "dropped", "rejected", "errors")}
    kept = total["results"] / max(1, total["sent"])
    return (
        f"| {n} | {fps:g} | {upload_state(uploaded)} | {total['sent']} | {total['results']} | {kept:.0%} | "
        f"{total['results'] / elapsed:.1f} | "
        f"{np.percentile(latencies, 50):.0f} | {np.percentile(latencies, 95):.0f} | "
        f"{total['dropped']} | {total['rejected']} | {total['errors']} | "
        f"{tree_rss_mib(server_pid):.0f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streams", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--fps", type=float, default=5.0)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument(
        "--video", type=Path, default=REPO.parent / "shared" / "data" / "video" / "talk_single_face.mp4"
    )
    parser.add_argument("--upload", type=Path, help="a recording analysed (as an upload) during each level")
    parser.add_argument("--upload-seconds", type=float, default=90.0, help="--upload repeated to this length")
    parser.add_argument("--live-workers", type=int, default=1, help="`serve --live-workers` (0: as one worker)")
    add_markdown_option(parser, "live_streams")
    args = parser.parse_args()
    frames = load_frames(args.video)
    upload = looped(args.upload, args.upload_seconds, Path(tempfile.mkdtemp())) if args.upload else None
    call_command("migrate", verbosity=0)
    teacher, _ = get_user_model().objects.get_or_create(username="bench-teacher")
    teacher.set_password("bench-pass-123")
    teacher.save()
    classroom, _ = Classroom.objects.get_or_create(teacher=teacher, name="Bench")
    client = Client()
    client.force_login(teacher)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    port = free_port()
    WorkerHeartbeat.objects.all().delete()
    report = Report(args.markdown, "Live streams", services=("database", "broker"))
    log = tempfile.NamedTemporaryFile(prefix="eyeclass-live-bench-", suffix=".log", delete=False)
    server = subprocess.Popen(
        [sys.executable, "manage.py", "serve", "--port", str(port), "--live-workers", str(args.live_workers)],
        cwd=REPO,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    ok = False
    try:
        deadline = time.monotonic() + 120
        while WorkerHeartbeat.alive(60).count() < 1 + args.live_workers:  # all workers up
            assert time.monotonic() < deadline and server.poll() is None, "the app did not start"
            time.sleep(0.5)
        warm_url = f"ws://127.0.0.1:{port}/ws/live/{live_sessions(classroom, 1, 'warm-up')[0]}/"
        warm = asyncio.run(first_result(warm_url, cookie, frames[0], timeout=120))
        print(
            f"video: {args.video.name}, {len(frames)} frames at 480 px wide; {args.seconds:g} s per level; "
            f"first frame analysed {warm:.1f} s after the worker came up; app memory (all processes) "
            f"{tree_rss_mib(server.pid):.0f} MiB; live workers: {args.live_workers}"
            + (f"; upload: {args.upload.name} repeated to {args.upload_seconds:g} s" if upload else "")
            + "\n"
        )
        print(
            "| streams | fps each | upload after the level | frames sent | results | kept | results/s | p50 ms "
            "| p95 ms | dropped (busy) | rejected | errors | memory after, MiB |"
        )
        print("| ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for n in args.streams:
            row = run_level(port, cookie, classroom, frames, n, args.fps, args.seconds, server.pid, upload)
            print(row, flush=True)
        ok = True
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=60)
        for session in Session.objects.filter(classroom=classroom).exclude(video_file=""):
            session.video_path.unlink(missing_ok=True)
        Session.objects.filter(classroom=classroom).delete()
        if not ok:  # show why: the server's and worker's own log
            print(f"--- server log ({log.name}), last lines ---", file=sys.stderr)
            print("\n".join(Path(log.name).read_text(errors="replace").splitlines()[-80:]), file=sys.stderr)
        else:
            os.unlink(log.name)
    report.save()


if __name__ == "__main__":
    main()
