"""Run the whole app in one terminal: the ASGI server (HTTP + websockets) and two Celery workers, one
for uploads (at a lower CPU priority) and one for live sessions, so live frames never queue behind an
upload's analysis.

The web side is `--web-processes` uvicorn processes accepting on one listening socket (opened here and
inherited, so the kernel spreads connections): Django runs sync views on one thread per process, so one
process uses one core. uvicorn hands a request body to the app as it arrives, with flow control, where
daphne (Twisted) holds the whole body in memory first; `eyeclass.ops.limits` then refuses bodies over
their limit before they are read. Ctrl-C (or SIGTERM) stops everything, worker pool included: each child runs in
its own process group and the whole group is signalled, then killed if it has not exited in time.

The worker's stderr passes through here, less the INFO and WARNING notes that TensorFlow, XLA, MediaPipe
and TF Lite write to it from C++ (absl writes them before any log setting applies); everything else,
errors included, is copied as it comes. `celery -A eyeclass worker`, run directly, shows them all.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from celery.utils.nodenames import host_format
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from kombu.utils.url import maybe_sanitize_url

NATIVE_CHATTER = re.compile(
    rb"^[IW]\d{4} [\d:.]+ +\d+ \S+:\d+\] "  # absl's INFO and WARNING lines
    rb"|^WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR"
    rb"|^INFO: "  # TF Lite's notes ("Created TensorFlow Lite XNNPACK delegate for CPU.")
    # TensorFlow's CUDA build registers its CUDA plugins twice and says so as an error; nothing fails
    rb"|Unable to register cu\w+ factory: Attempting to register factory for plugin \w+ when one has already"
)


class Command(BaseCommand):
    help = "Run the ASGI server (uvicorn), a Celery worker and a live worker together; Ctrl-C stops all."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=settings.CONFIG.host)
        parser.add_argument("--port", type=int, default=settings.CONFIG.port)
        parser.add_argument("--queues", default="celery,gpu", help="queues this worker consumes")
        parser.add_argument("--concurrency", type=int, default=1)
        parser.add_argument(
            "--web-processes",
            type=int,
            default=settings.CONFIG.web_processes,
            help="web server processes (default: one per core, at most 4)",
        )
        parser.add_argument("--no-worker", action="store_true", help="web server only")
        parser.add_argument(
            "--live-workers",
            type=int,
            default=1,
            help="workers kept for live sessions (0: live frames share the upload worker, behind its uploads)",
        )
        parser.add_argument("--grace", type=float, default=15.0, help="seconds to wait before killing")

    def handle(self, *args, host, port, queues, concurrency, web_processes, no_worker, live_workers, grace, **options):
        web_processes = web_processes or min(os.cpu_count() or 1, 4)
        try:
            listener = socket.create_server((host, port), backlog=512)  # shared by every web process
        except OSError as exc:
            raise CommandError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
        listener.set_inheritable(True)
        fd = str(listener.fileno())
        commands = {f"web{i + 1}": web_command(fd) for i in range(web_processes)}
        upload_worker = host_format(f"local-{os.getpid()}@%h")
        if not no_worker:
            commands["worker"] = worker_command(queues, concurrency, upload_worker)
            # live frames get a worker of their own: they never wait behind an upload's analysis
            for i in range(live_workers):
                commands[f"live{i + 1}"] = worker_command("live", 1, f"live{i + 1}-{os.getpid()}@%h")
        children = {
            name: subprocess.Popen(
                cmd,
                start_new_session=True,
                pass_fds=(listener.fileno(),) if name.startswith("web") else (),
                stderr=None if name.startswith("web") else subprocess.PIPE,
                # uploads yield the CPU to live frames and web requests, which someone is waiting for
                preexec_fn=(lambda: os.nice(10)) if name == "worker" else None,
            )
            for name, cmd in commands.items()
        }
        listener.close()  # the web processes hold it now
        relays = [
            threading.Thread(target=_relay_without_chatter, args=(children[name].stderr,), daemon=True)
            for name in children
            if not name.startswith("web")
        ]
        for relay in relays:
            relay.start()
        self._print_summary(host, port, web_processes, None if no_worker else queues, live_workers)

        stopping = False

        def request_stop(signum, frame):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, request_stop)
        signal.signal(signal.SIGTERM, request_stop)
        exit_code = 0
        while not stopping:
            for name, child in children.items():
                if child.poll() is not None:
                    self.stderr.write(f"{name} exited with code {child.returncode}; stopping the rest.")
                    exit_code, stopping = child.returncode or 1, True
            time.sleep(0.3)
        self._stop_all(children.values(), grace)
        for relay in relays:
            relay.join(timeout=2)  # the workers' last lines before ours
        if not no_worker:
            self._requeue_interrupted(upload_worker)
        self.stdout.write("Stopped.")
        if exit_code:
            sys.exit(exit_code)

    def _print_summary(self, host: str, port: int, web_processes: int, queues: str | None, live: int) -> None:
        proxies = ", ".join(settings.EYECLASS_TRUSTED_PROXIES) or "none trusted (forwarded headers ignored)"
        worker = f"1 worker (queues {queues}), {live} live" if queues else "no worker (--no-worker)"
        lines = [
            self.style.SUCCESS(f"EyeClass is running at http://{host}:{port}/"),
            f"  database   {_database()}",
            f"  media      {_shown(settings.MEDIA_ROOT)}  (uploaded videos)",
            f"  broker     {_broker()}",
            f"  processes  {web_processes} web (uvicorn), {worker}",
            f"  proxies    {proxies}",
            "Ctrl-C stops it.",
        ]
        self.stdout.write("\n".join(lines))
        self.stdout.flush()

    def _requeue_interrupted(self, worker: str) -> None:
        """A video the upload worker was analysing when it was stopped is queued again now: with the
        embedded broker its task went with the worker."""
        from eyeclass.lectures import lifecycle

        try:
            actions = lifecycle.requeue_interrupted([worker])
        except Exception as exc:  # the database is down too: the watchdog queues them again later
            self.stderr.write(f"Could not queue interrupted sessions again ({exc}); the watchdog will.")
            return
        for action in actions:
            self.stdout.write(f"Session {action}.")

    @staticmethod
    def _stop_all(children, grace: float) -> None:
        for child in children:
            if child.poll() is None:
                _signal_group(child, signal.SIGTERM)
        deadline = time.monotonic() + grace
        for child in children:
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
            _signal_group(child, signal.SIGKILL)  # also reaps leftover pool processes in the group


def worker_command(queues: str, concurrency: int, name: str) -> list[str]:
    return [
        *(sys.executable, "-m", "celery", "-A", "eyeclass"),
        "--quiet",  # no start-up banner: the summary says what matters
        *("worker", "-l", "info", "-Q", queues, "-c", str(concurrency), "-n", name),
    ]


def web_command(fd: str) -> list[str]:
    """One web process on an inherited socket (eyeclass/ops/webserver.py: uvicorn with read timeouts)."""
    return [sys.executable, "-m", "eyeclass.ops.webserver", "--fd", fd]


def _signal_group(child: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(child.pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def _relay_without_chatter(source) -> None:
    """Copy the worker's stderr to ours line by line, leaving out NATIVE_CHATTER."""
    with source:
        for line in iter(source.readline, b""):
            if not NATIVE_CHATTER.search(line):
                sys.stderr.buffer.write(line)
                sys.stderr.buffer.flush()


def _shown(path) -> str:
    """A path relative to the current folder when it lies inside it (shorter to read), else absolute."""
    path = Path(path).resolve()
    return str(path.relative_to(Path.cwd())) if path.is_relative_to(Path.cwd()) else str(path)


def _database() -> str:
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return f"{_shown(db['NAME'])}  (SQLite)"
    return f"{db['ENGINE'].rsplit('.', 1)[-1]} {db.get('NAME')} on {db.get('HOST') or 'localhost'}"


def _broker() -> str:
    if settings.CELERY_BROKER_URL.startswith("filesystem"):
        return f"{_shown(settings.CELERY_BROKER_TRANSPORT_OPTIONS['data_folder_in'])}  (files; set REDIS_URL for Redis)"
    return maybe_sanitize_url(settings.CELERY_BROKER_URL)
