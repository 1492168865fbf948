"""A benchmark's Markdown report: what it printed, and when, where and how it ran.

Every benchmark here takes `--markdown [FILE]` (`add_markdown_option`). With it, a `Report` copies
everything the benchmark prints to stdout, and `save()` writes FILE (default
docs/benchmarks/<name>.md): a title, the date (UTC), the machine, the services used, the load
average, the exact command line, then the printed output (its tables are Markdown already).
Without it, `Report` does nothing and the benchmark prints as usual.
"""

from __future__ import annotations

import argparse
import io
import os
import shlex
import sys
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from inference.lab.reports import header

REPO = Path(__file__).resolve().parents[1]
REPORTS = REPO / "docs" / "benchmarks"


def add_markdown_option(parser: argparse.ArgumentParser, name: str) -> None:
    parser.add_argument(
        "--markdown",
        nargs="?",
        const=REPORTS / f"{name}.md",
        type=Path,
        metavar="FILE",
        help=f"also write a Markdown report to FILE (default: docs/benchmarks/{name}.md)",
    )


class Report:
    """`Report(args.markdown, title, services=("database", "broker"))` before the benchmark prints
    anything, `save()` after it is done; a run that fails writes no report."""

    def __init__(self, path: Path | None, title: str, services: tuple[str, ...] = ()) -> None:
        self.path, self.title, self.services = path, title, services
        self.started = datetime.now(UTC)
        self.load_before = os.getloadavg()[0]
        self.tee = _Tee(sys.stdout) if path else None
        if self.tee:
            sys.stdout = self.tee

    def save(self) -> None:
        if not self.tee:
            return
        sys.stdout = self.tee.stream
        facts = [
            *(f"{service}: {SERVICES[service]()}" for service in self.services),
            f"load average (1 min): {self.load_before:.2f} before, {os.getloadavg()[0]:.2f} after",
        ]
        text = header(self.title, command(), facts, started=self.started)
        text += "\n" + self.tee.copy.getvalue().strip("\n") + "\n"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(text)
        print(f"report written to {self.path}", file=sys.stderr)


class _Tee:
    """Writes go to `stream` and to `copy`; everything else (fileno, isatty, ...) is the stream's."""

    def __init__(self, stream) -> None:
        self.stream, self.copy = stream, io.StringIO()

    def write(self, text: str) -> int:
        self.copy.write(text)
        return self.stream.write(text)

    def __getattr__(self, name: str):
        return getattr(self.stream, name)


def command() -> str:
    """The command line that ran this process, as typed from the repository root."""
    spec = getattr(sys.modules["__main__"], "__spec__", None)
    if spec is not None:  # python -m bench.NAME
        program = ["-m", spec.name]
    else:
        script = Path(sys.argv[0]).resolve()
        program = [str(script.relative_to(REPO) if script.is_relative_to(REPO) else script)]
    return shlex.join(["python", *program, *sys.argv[1:]])


def database() -> str:
    """The database Django is configured with (DATABASE_URL, else the SQLite file)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        connection.ensure_connection()
        major, minor = divmod(connection.pg_version, 10000)
        host, port = connection.settings_dict.get("HOST") or "local socket", connection.settings_dict.get("PORT")
        return f"PostgreSQL {major}.{minor} at {host}:{port or 5432}"
    if connection.vendor == "sqlite":
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version} ({connection.settings_dict['NAME']})"
    return connection.vendor


def broker() -> str:
    """Celery's broker and the channel layer (REDIS_URL, else the filesystem broker and in-memory layer)."""
    from django.conf import settings

    url = urlsplit(settings.CELERY_BROKER_URL)
    where = f"{url.hostname}:{url.port or 6379}{url.path}" if url.hostname else url.path
    layer = settings.CHANNEL_LAYERS["default"]["BACKEND"].rsplit(".", 1)[-1]
    return f"Celery broker {url.scheme}" + (f" at {where}" if where else "") + f"; channel layer {layer}"


SERVICES = {"database": database, "broker": broker}
