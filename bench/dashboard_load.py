"""Dashboard load: N concurrent teachers browse their classes and 1-hour session pages (loopback only).

    python -m bench.dashboard_load [--users 50] [--seconds 30] [--think 1.0] [--markdown [FILE]]

Starts `manage.py serve --no-worker` (daphne) on a free loopback port against the configured database,
creates bench teachers with processed 1-hour sessions, runs the users for a bounded time (each waits
`think` s on average between pages, as people do), prints latency per page and errors, then deletes
what it created.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "eyeclass.settings")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

from bench.report import Report, add_markdown_option  # noqa: E402
from tests.web.factories import make_result, make_session  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_teachers(count: int, sessions: int, seconds: int) -> list[tuple[str, list[str]]]:
    """(session cookie, pages) per bench teacher."""
    out = []
    for i in range(count):
        teacher = get_user_model().objects.create_user(f"load-{i}-{time.time_ns()}", password="bench-pass-123")
        pages = ["/"]
        for j in range(sessions):
            session = make_session(teacher, title=f"Session {j}")
            session.store_results(make_result(seconds=seconds, tracks=30, seed=j))
            pages += [f"/sessions/{session.pk}/", f"/sessions/{session.pk}/status/"]
        pages.append(f"/classes/{session.classroom_id}/")
        client = Client()
        client.force_login(teacher)
        out.append((f"sessionid={client.cookies['sessionid'].value}", pages))
    return out


def user(base: str, cookie: str, pages: list[str], until: float, think: float, seed: int, samples, errors) -> None:
    rng = random.Random(seed)
    while time.monotonic() < until:
        page = rng.choice(pages)
        kind = (
            "session page"
            if page.startswith("/sessions/") and not page.endswith("status/")
            else (
                "status poll"
                if page.endswith("status/")
                else ("class page" if page.startswith("/classes/") else "home")
            )
        )
        request = urllib.request.Request(base + page, headers={"Cookie": cookie})
        start = time.perf_counter()
        reason = None
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                response.read()
                reason = None if response.status == 200 else f"HTTP {response.status}"
        except urllib.error.HTTPError as exc:
            reason = f"HTTP {exc.code}"
        except (urllib.error.URLError, OSError) as exc:
            reason = f"{type(exc).__name__}: {getattr(exc, 'reason', exc)}"
        samples[kind].append((time.perf_counter() - start) * 1000)
        if reason:
            errors[kind] += 1
            errors.setdefault("reasons", set()).add(f"{page}: {reason}")
        time.sleep(rng.uniform(0, 2 * think))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--teachers", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--think", type=float, default=1.0)
    add_markdown_option(parser, "dashboard_load")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    report = Report(args.markdown, "Dashboard load", services=("database",))
    teachers = make_teachers(args.teachers, sessions=2, seconds=3600)
    port = free_port()
    log = tempfile.NamedTemporaryFile(prefix="eyeclass-dashboard-bench-", suffix=".log", delete=False)
    server = subprocess.Popen(
        [sys.executable, "manage.py", "serve", "--no-worker", "--port", str(port)],
        cwd=REPO,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(base + "/accounts/login/", timeout=2).read()
                break
            except OSError:
                assert time.monotonic() < deadline and server.poll() is None, "the server did not start"
                time.sleep(0.3)
        samples, errors = defaultdict(list), defaultdict(int)
        until = time.monotonic() + args.seconds
        threads = [
            threading.Thread(
                target=user, args=(base, *teachers[i % len(teachers)], until, args.think, i, samples, errors)
            )
            for i in range(args.users)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=args.seconds + 60)
        total = sum(len(v) for v in samples.values())
        print(
            f"{args.users} users, {args.seconds:g} s, think time ~{args.think:g} s; sessions of 1 hour (30 tracks); "
            f"{total} requests, {total / args.seconds:.1f} req/s\n"
        )
        print("| page | requests | p50 ms | p95 ms | max ms | errors |\n| --- | ---: | ---: | ---: | ---: | ---: |")
        everything = [x for v in samples.values() for x in v]
        reasons = errors.pop("reasons", set())
        for kind, values in sorted(samples.items()) + [("all", everything)]:
            errs = sum(errors.values()) if kind == "all" else errors[kind]
            print(
                f"| {kind} | {len(values)} | {np.percentile(values, 50):.1f} | {np.percentile(values, 95):.1f} | "
                f"{max(values):.1f} | {errs} |"
            )
        for reason in sorted(reasons)[:10]:
            print(f"error: {reason}")
        if reasons:
            print(f"server log: {log.name}")
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)
        get_user_model().objects.filter(username__startswith="load-").delete()
    report.save()


if __name__ == "__main__":
    main()
