"""Request memory: how much of a large request body the web process holds, and how soon it answers.

    python -m bench.request_memory [--sizes 10 100 300] [--server uvicorn|daphne] [--markdown [FILE]]

Starts one web process (`manage.py serve`'s uvicorn command line, or daphne for comparison) on a free
loopback port, against a temporary data folder with its own SQLite database and temporary-file folder.
For each body size it sends, as an anonymous visitor (to the login page) and as a logged-in teacher (to
the upload page), a multipart form and a raw `application/octet-stream` body, streamed from the client
in 1 MiB pieces, and an anonymous GET to /healthz carrying the same body, with a length and chunked;
then one body that declares 3 GiB and sends 20 MiB, one that declares 2 MB and stops after 10 bytes,
and headers sent a byte a second that never end (the last two answered after the server's read
timeouts, EYECLASS_BODY_IDLE_TIMEOUT_SECONDS and EYECLASS_HEADER_TIMEOUT_SECONDS). It samples the web process's
resident memory every 10 ms and prints the peak growth over its idle size, the HTTP status, the seconds
from the first byte sent to the answer, how much of the body was sent before the answer, and the
largest growth of disk use seen (temporary files, often unlinked while open; other activity on the
file system counts too). A teacher's multipart body is a real upload form whose file is
random bytes, so it is received, stored and refused as no video.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import NamedTuple

REPO = Path(__file__).resolve().parents[1]
MiB = 1024 * 1024
WORK = Path(tempfile.mkdtemp(prefix="eyeclass-request-memory-"))
os.environ["EYECLASS_VAR_DIR"] = str(WORK / "var")
os.environ.pop("DATABASE_URL", None)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "eyeclass.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.middleware.csrf import _get_new_csrf_string  # noqa: E402
from django.test import Client  # noqa: E402

from bench.report import Report, add_markdown_option  # noqa: E402
from eyeclass.classrooms.models import Classroom  # noqa: E402
from eyeclass.ops.management.commands.serve import web_command  # noqa: E402


def rss_mib(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def used_mib(folder: Path) -> float:
    """Space used on the file system holding `folder`: temporary files are often unlinked while open."""
    stat = os.statvfs(folder)
    return (stat.f_blocks - stat.f_bfree) * stat.f_frsize / MiB


class Sampler(threading.Thread):
    """Peak RSS of `pid` and peak disk use (over the start) of the file system holding `tmp`."""

    def __init__(self, pid: int, tmp: Path) -> None:
        super().__init__(daemon=True)
        self.pid, self.tmp, self.peak, self.peak_tmp = pid, tmp, 0.0, 0.0
        self.disk_before = used_mib(tmp)
        self.running = True

    def run(self) -> None:
        tick = 0
        while self.running:
            self.peak = max(self.peak, rss_mib(self.pid))
            if tick % 5 == 0:
                self.peak_tmp = max(self.peak_tmp, used_mib(self.tmp) - self.disk_before)
            tick += 1
            time.sleep(0.01)

    def stop(self) -> None:
        self.running = False
        self.join()
        self.peak = max(self.peak, rss_mib(self.pid))


class Case(NamedTuple):
    label: str
    who: str
    encoding: str  # multipart, raw, chunked (no Content-Length), slow (stops after its prefix), headers
    method: str
    path: str
    headers: dict
    prefix: bytes
    size: int  # bytes sent after the prefix (before the suffix)
    suffix: bytes
    declared: int | None  # Content-Length; None: chunked


def send_body(port: int, case: Case, timeout: float):
    """Send the case's request, streaming its body in 1 MiB pieces; (status, seconds to answer, MiB sent)."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    framing = "Transfer-Encoding: chunked" if case.declared is None else f"Content-Length: {case.declared}"
    head = f"{case.method} {case.path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{framing}\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in case.headers.items()) + "\r\n"
    answer, sent = bytearray(), 0
    started = time.perf_counter()
    answered_at = None

    def read_answer():
        nonlocal answered_at
        try:
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                if answered_at is None:
                    answered_at = time.perf_counter()
                answer.extend(chunk)
                if b"\r\n\r\n" in answer and len(answer) > 200_000:
                    break
        except OSError:
            pass

    def frame(data: bytes) -> bytes:
        return b"%x\r\n%s\r\n" % (len(data), data) if case.declared is None else data

    reader = threading.Thread(target=read_answer, daemon=True)
    try:
        if case.encoding == "headers":  # a byte of header every second, never the end of the headers
            sock.sendall(head.encode().split(b"\r\n")[0] + b"\r\n")
            reader.start()
            while answered_at is None and time.perf_counter() - started < timeout:
                time.sleep(1.0)
                sock.sendall(b"X")
        else:
            sock.sendall(head.encode() + frame(case.prefix) if case.prefix else head.encode())
            reader.start()
            piece = os.urandom(MiB)
            while sent < case.size and answered_at is None and time.perf_counter() - started < timeout:
                n = min(MiB, case.size - sent)
                sock.sendall(frame(piece[:n]))
                sent += n
            if sent >= case.size and case.encoding != "slow":
                sock.sendall(frame(case.suffix) + (b"0\r\n\r\n" if case.declared is None else b""))
    except OSError:
        pass  # the server answered and closed while we were sending
    reader.join(timeout=max(0.1, timeout - (time.perf_counter() - started)))
    sock.close()
    status = answer.split(b" ", 2)[1].decode() if answer.startswith(b"HTTP/") else "no answer"
    seconds = (answered_at or time.perf_counter()) - started
    return status, seconds, sent / MiB


def start_server(server: str, port: int, tmp: Path) -> subprocess.Popen:
    listener = socket.create_server(("127.0.0.1", port))
    listener.set_inheritable(True)
    fd = str(listener.fileno())
    if server == "daphne":
        command = [sys.executable, "-m", "daphne", "--fd", fd, "eyeclass.asgi:application"]
    else:
        command = web_command(fd)
    env = {**os.environ, "TMPDIR": str(tmp), "LOG_LEVEL": "ERROR"}
    proc = subprocess.Popen(
        command, cwd=REPO, env=env, pass_fds=(listener.fileno(),), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    listener.close()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                s.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                if s.recv(100).startswith(b"HTTP/1.1"):
                    return proc
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise SystemExit(f"the web server did not start: {proc.stderr.read().decode()[-2000:]}")


def cases(sizes: list[int], cookie: str, token: str, classroom: int):
    boundary = "----eyeclassbench"
    form = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    raw = {"Content-Type": "application/octet-stream"}
    teacher = {"Cookie": f"sessionid={cookie}; csrftoken={token}", "X-CSRFToken": token, "Accept": "application/json"}
    prefix = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="classroom"\r\n\r\n{classroom}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="students_informed"\r\n\r\non\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="video"; filename="session.mp4"\r\n'
        "Content-Type: video/mp4\r\n\r\n"
    ).encode()
    suffix = f"\r\n--{boundary}--\r\n".encode()
    senders = (("anonymous", "/accounts/login/", {}), ("teacher", "/sessions/upload/", teacher))
    for size in sizes:
        for who, path, extra in senders:
            body = len(prefix) + size * MiB + len(suffix)
            yield Case(
                f"{size} MiB", who, "multipart", "POST", path, {**form, **extra}, prefix, size * MiB, suffix, body
            )
            yield Case(f"{size} MiB", who, "raw", "POST", path, {**raw, **extra}, b"", size * MiB, b"", size * MiB)
        # a body on a GET: Django reads (and spools) it before any view, so it gets the small limit too
        yield Case(f"{size} MiB GET", "anonymous", "raw", "GET", "/healthz", raw, b"", size * MiB, b"", size * MiB)
        yield Case(f"{size} MiB GET", "anonymous", "chunked", "GET", "/healthz", raw, b"", size * MiB, b"", None)
    for who, path, extra in senders:
        yield Case(
            "3 GiB declared, 20 MiB sent",
            who,
            "multipart",
            "POST",
            path,
            {**form, **extra},
            prefix,
            20 * MiB,
            b"",
            3 * 1024**3,
        )
    # slow clients: a body that stops after 10 bytes of a declared 2 MB, and headers that never end
    yield Case(
        "2 MB declared, 10 B sent", "anonymous", "slow", "POST", "/accounts/login/", raw, b"x" * 10, 0, b"", 2_000_000
    )
    yield Case("headers, a byte a second", "anonymous", "headers", "GET", "/healthz", {}, b"", 0, b"", 0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 300], help="body sizes in MiB")
    parser.add_argument("--server", choices=("uvicorn", "daphne"), default="uvicorn")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for each answer")
    add_markdown_option(parser, "request_memory")
    args = parser.parse_args()
    report = Report(args.markdown, f"Request memory ({args.server})")
    call_command("migrate", verbosity=0)
    teacher = get_user_model().objects.create_user("bench-teacher", password="bench-pass-123")
    classroom = Classroom.objects.create(teacher=teacher, name="Bench class")
    client = Client()
    client.force_login(teacher)
    cookie, token = client.cookies[settings.SESSION_COOKIE_NAME].value, _get_new_csrf_string()
    tmp = WORK / "tmp"
    tmp.mkdir()
    port = socket.socket()
    port.bind(("127.0.0.1", 0))
    port_number = port.getsockname()[1]
    port.close()
    server = start_server(args.server, port_number, tmp)
    try:
        print(
            f"web server: {args.server}, one process; upload limit {settings.UPLOAD_MAX_BYTES / MiB:.0f} MiB; "
            f"bodies streamed in 1 MiB pieces; memory is the web process's resident set (RSS)\n"
        )
        print(
            "| body | sender | encoding | HTTP status | answer after s | MiB sent | idle RSS MiB "
            "| peak growth MiB | peak disk growth MiB |"
        )
        print("| --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: |")
        worst = 0.0
        for case in cases(args.sizes, cookie, token, classroom.pk):
            time.sleep(1.0)  # let the last request's memory and files settle
            idle = rss_mib(server.pid)
            sampler = Sampler(server.pid, tmp)
            sampler.start()
            status, seconds, sent = send_body(port_number, case, args.timeout)
            time.sleep(0.5)
            sampler.stop()
            growth = sampler.peak - idle
            worst = max(worst, growth)
            print(
                f"| {case.label} | {case.who} | {case.encoding} | {status} | {seconds:.2f} | {sent:.0f} | {idle:.0f} "
                f"| {growth:.0f} | {sampler.peak_tmp:.0f} |"
            )
        left = sum(p.stat().st_size for p in tmp.rglob("*") if p.is_file()) / MiB
        print(f"\nlargest growth of the web process: {worst:.0f} MiB; temporary files left: {left:.0f} MiB")
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(WORK, ignore_errors=True)
    report.save()


if __name__ == "__main__":
    main()
