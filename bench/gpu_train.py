"""Run several trainings side by side on one lent GPU inside a fixed time budget (bench/gpu_train.sh device).

Jobs run in priority order as separate `python -m inference train` processes sharing the GPU. The
first WAVE start at once; a further job starts only when the measured throughput says that it and
every running job can still finish before the deadline (a conservative estimate: it assumes the GPU
is already saturated). A job still running at the deadline is stopped and its best epoch exported
with `"incomplete"` in its card. At the end the TOP eye runs by PublicTest accuracy (PrivateTest is
never on that machine) and the full-face run are copied to $OUT, with every card, history and log
in $OUT/meta.tar.gz.

Environment: OUT (required), DATA (full faces .npz), BUDGET seconds (470), FIRST_EPOCH_LIMIT seconds
(150: stop everything when no job has finished one epoch by then), WAVE (2), MAX_PARALLEL (5), BF16 (1),
TOP (3), WIDTHS (64,128,256), EPOCHS_SCALE (1.0; smaller for a dry run), SUBSET (0 = all faces).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tarfile
import time
from dataclasses import dataclass
from pathlib import Path

FACE_ROWS = {"eye": 28, "full": 48}  # rows of the 48x48 face each band has: the cost of an epoch


@dataclass
class Job:
    name: str
    band: str
    epochs: int
    seed: int
    process: subprocess.Popen | None = None
    started: float = 0.0
    status: str = "waiting"  # waiting, running, done, failed, stopped

    @property
    def file(self) -> str:
        return "full_face_cnn" if self.band == "full" else "eye_cnn"

    @property
    def cost(self) -> float:  # eye-epoch equivalents per epoch
        return FACE_ROWS[self.band] / FACE_ROWS["eye"]

    def state(self, runs: Path) -> dict:
        try:
            return json.loads((runs / self.name / "state.json").read_text())
        except (OSError, ValueError):
            return {}


def plan(scale: float) -> list[Job]:
    """Priority order: the runs the issue needs first, then more seeds and longer schedules."""
    specs = [
        ("eye_s1", "eye", 60, 1),
        ("full_s1", "full", 60, 1),
        ("eye_s2", "eye", 60, 2),
        ("eye_e100_s3", "eye", 100, 3),
        ("eye_e100_s4", "eye", 100, 4),
        ("eye_s5", "eye", 60, 5),
        ("eye_e100_s6", "eye", 100, 6),
        ("eye_s7", "eye", 60, 7),
        ("eye_s8", "eye", 60, 8),
    ]
    return [Job(name, band, max(1, round(epochs * scale)), seed) for name, band, epochs, seed in specs]


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


class Runner:
    def __init__(self, out: Path, data: str, budget: float, work: Path = Path("/tmp")):
        self.out, self.data = out, data
        self.runs, self.exports, self.logs = work / "runs", work / "exports", work / "joblogs"
        for folder in (self.runs, self.exports, self.logs):
            folder.mkdir(parents=True, exist_ok=True)
        self.deadline = time.monotonic() + budget
        self.widths = os.environ.get("WIDTHS", "64,128,256")
        self.subset = os.environ.get("SUBSET", "")
        self.bf16 = os.environ.get("BF16", "1") == "1"  # mixed bfloat16: the GPU's fast path
        # a first epoch (compiling included) takes well under a minute on an H200; far longer means
        # something runs at a fraction of the expected speed, and the rest of the lease is better kept
        self.first_epoch_limit = float(os.environ.get("FIRST_EPOCH_LIMIT", 150))

    def start(self, job: Job) -> None:
        (self.exports / job.name).mkdir(exist_ok=True)
        command = [
            sys.executable,
            "-m",
            "inference",
            "train",
            "--data",
            self.data,
            "--band",
            job.band,
            "--widths",
            self.widths,
            "--epochs",
            str(job.epochs),
            "--seed",
            str(job.seed),
            "--cache-dir",
            "",
            "--verbose",
            "2",
            "--out",
            str(self.runs / job.name),
            "--export",
            str(self.exports / job.name / f"{job.file}.keras"),
        ]
        if self.subset:
            command += ["--subset", self.subset]
        if self.bf16:
            command.append("--bf16")
        output = open(self.logs / f"{job.name}.log", "w")
        job.process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
        job.started, job.status = time.monotonic(), "running"
        log(f"start {job.name}: band {job.band}, {job.epochs} epochs, seed {job.seed}")

    def seconds_per_epoch(self, job: Job) -> float | None:
        seconds = job.state(self.runs).get("seconds_per_epoch", [])[1:]  # the first epoch includes compiling
        return statistics.median(seconds) if seconds else None

    def fits(self, job: Job, jobs: list[Job]) -> bool:
        """Serialised estimate: all remaining work of the running jobs plus this one, at the measured rate
        (of the running jobs, or of the finished ones when none runs)."""
        running = [j for j in jobs if j.status == "running"]
        rated = [(j, self.seconds_per_epoch(j)) for j in (running or [j for j in jobs if j.status == "done"])]
        rated = [(j, rate) for j, rate in rated if rate is not None]
        if not rated or len(rated) < len(running):
            return False  # wait until every running job has been measured
        throughput = sum(j.cost / rate for j, rate in rated) if running else max(j.cost / r for j, r in rated)
        remaining = sum((j.epochs - j.state(self.runs).get("epoch", 0)) * j.cost for j in running)
        needed = (remaining + job.epochs * job.cost) / throughput + 60  # + compiling, exporting
        return needed < 0.9 * (self.deadline - time.monotonic())

    def poll(self, jobs: list[Job]) -> None:
        for job in jobs:
            if job.status == "running" and job.process.poll() is not None:
                job.status = "done" if job.process.returncode == 0 else "failed"
                log(
                    f"{job.status} {job.name} (exit {job.process.returncode}) after "
                    f"{time.monotonic() - job.started:.0f} s"
                )

    def stop_all(self, jobs: list[Job]) -> None:
        running = [j for j in jobs if j.status == "running"]
        for job in running:
            os.killpg(job.process.pid, signal.SIGTERM)
        give_up = time.monotonic() + 10
        for job in running:
            try:
                job.process.wait(max(0.1, give_up - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(job.process.pid, signal.SIGKILL)
                job.process.wait()
            job.status = "stopped"
            log(f"stopped {job.name} after epoch {job.state(self.runs).get('epoch', 0)} of {job.epochs}")

    def run(self, jobs: list[Job], wave: int, max_parallel: int) -> None:
        for job in jobs[:wave]:
            self.start(job)
        first_epoch_by = time.monotonic() + self.first_epoch_limit
        while time.monotonic() < self.deadline:
            self.poll(jobs)
            if time.monotonic() > first_epoch_by and not any(j.state(self.runs).get("epoch") for j in jobs):
                log(
                    f"no job finished an epoch in {self.first_epoch_limit:.0f} s: stopping all (too slow to train here)"
                )
                break
            running = [j for j in jobs if j.status == "running"]
            waiting = [j for j in jobs if j.status == "waiting"]
            if waiting and len(running) < max_parallel and self.fits(waiting[0], jobs):
                self.start(waiting[0])
                continue
            if not running:
                break  # nothing left that fits before the deadline
            time.sleep(2)
        self.poll(jobs)
        self.stop_all(jobs)

    def export_stopped(self, jobs: list[Job]) -> None:
        """A stopped job's best epoch so far, exported like a finished one but marked incomplete."""
        stopped = [j for j in jobs if j.status == "stopped" and (self.runs / j.name / "best.keras").exists()]
        if not stopped:
            return
        from inference.cli.train import parse_band
        from inference.eyedb import load_bands
        from inference.training import export, write_card

        for job in stopped:
            state, weights = job.state(self.runs), self.exports / job.name / f"{job.file}.keras"
            try:
                model = export(self.runs / job.name, weights)
            except Exception as exc:  # e.g. stopped while writing best.keras
                log(f"could not export {job.name}: {exc}")
                continue
            card = write_card(model, state, load_bands(self.data, parse_band(job.band)), Path(self.data).name, weights)
            if state.get("epoch", 0) < job.epochs:  # else it was stopped while exporting
                card["incomplete"] = {"epochs_done": state.get("epoch", 0), "epochs_planned": job.epochs}
            weights.with_suffix(".json").write_text(json.dumps(card, indent=2) + "\n")
            log(f"exported {job.name}'s best epoch so far ({state.get('best_epoch')})")

    def collect(self, jobs: list[Job], top: int) -> None:
        cards = {}
        for job in jobs:
            card = self.exports / job.name / f"{job.file}.json"
            if card.exists():
                cards[job.name] = json.loads(card.read_text())
        eye = sorted((n for n in cards if n.startswith("eye")), key=lambda n: -cards[n]["public_test"]["accuracy"])
        keep = eye[:top] + [n for n in cards if n.startswith("full")]
        log(
            "runs by PublicTest accuracy (flip-averaged): "
            + ", ".join(
                f"{n} {cards[n]['public_test']['accuracy']:.4f}{' (incomplete)' if 'incomplete' in cards[n] else ''}"
                for n in sorted(cards, key=lambda n: -cards[n]["public_test"]["accuracy"])
            )
        )
        for name in keep:
            job = next(j for j in jobs if j.name == name)
            (self.out / name).mkdir(exist_ok=True)
            shutil.copy(self.exports / name / f"{job.file}.keras", self.out / name)
        with tarfile.open(self.out / "meta.tar.gz", "w:gz") as tar:
            for job in jobs:
                for path in [
                    self.exports / job.name / f"{job.file}.json",
                    self.logs / f"{job.name}.log",
                    self.runs / job.name / "history.csv",
                    self.runs / job.name / "state.json",
                ]:
                    if path.exists():
                        tar.add(path, arcname=f"{job.name}/{path.name}")
        log(f"returned {keep} and meta.tar.gz")


def main() -> int:
    out = Path(os.environ["OUT"])
    runner = Runner(out, os.environ.get("DATA", "/tmp/faces.npz"), float(os.environ.get("BUDGET", 470)))
    jobs = plan(float(os.environ.get("EPOCHS_SCALE", 1.0)))
    runner.run(jobs, wave=int(os.environ.get("WAVE", 2)), max_parallel=int(os.environ.get("MAX_PARALLEL", 5)))
    for job in jobs:
        if job.status == "failed":
            print(
                f"--- {job.name} failed; the end of its log:\n" + (runner.logs / f"{job.name}.log").read_text()[-3000:]
            )
    runner.export_stopped(jobs)
    runner.collect(jobs, top=int(os.environ.get("TOP", 3)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
