"""Run the whole app in one terminal: the ASGI server (HTTP + websockets) and a Celery worker.

The web side is `--web-processes` daphne processes accepting on one listening socket (opened here and
inherited, so the kernel spreads connections): Django runs sync views on one thread per process, so one
process uses one core. Ctrl-C (or SIGTERM) stops everything, worker pool included: each child runs in
its own process group and the whole group is signalled, then killed if it has not exited in time.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Run the ASGI server (daphne) and a Celery worker together; Ctrl-C stops both."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--queues", default="celery,gpu", help="queues this worker consumes")
        parser.add_argument("--concurrency", type=int, default=1)
        parser.add_argument(
            "--web-processes",
            type=int,
            default=int(os.environ.get("WEB_PROCESSES", "0")),
            help="daphne processes (default: one per core, at most 4)",
        )
        parser.add_argument("--no-worker", action="store_true", help="web server only")
        parser.add_argument("--grace", type=float, default=15.0, help="seconds to wait before killing")

    def handle(self, *args, host, port, queues, concurrency, web_processes, no_worker, grace, **options):
        web_processes = web_processes or min(os.cpu_count() or 1, 4)
        try:
            listener = socket.create_server((host, port), backlog=512)  # shared by every web process
        except OSError as exc:
            raise CommandError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
        listener.set_inheritable(True)
        fd = str(listener.fileno())
        daphne = [sys.executable, "-m", "daphne", "--fd", fd, "eyeclass.asgi:application"]
        commands = {f"web{i + 1}": daphne for i in range(web_processes)}
        if not no_worker:
            commands["worker"] = [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "eyeclass",
                "worker",
                "-l",
                "info",
                "-Q",
                queues,
                "-c",
                str(concurrency),
                "-n",
                f"local-{os.getpid()}@%h",
            ]
        children = {
            name: subprocess.Popen(
                cmd, start_new_session=True, pass_fds=(listener.fileno(),) if name.startswith("web") else ()
            )
            for name, cmd in commands.items()
        }
        listener.close()  # the web processes hold it now
        self.stdout.write(self.style.SUCCESS(f"EyeClass is running at http://{host}:{port}/ — Ctrl-C stops it."))

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
        self.stdout.write("Stopped.")
        if exit_code:
            sys.exit(exit_code)

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


def _signal_group(child: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(child.pid, sig)
    except (ProcessLookupError, PermissionError):
        pass
