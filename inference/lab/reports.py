"""Facts a benchmark report starts with: when, on what machine, by which command."""

from __future__ import annotations

import os
import platform
import shlex
import sys
from datetime import UTC, datetime
from pathlib import Path


def header(title: str, command: str, extra: list[str] | None = None, started: datetime | None = None) -> str:
    """A Markdown title and the bullet list of facts (date, machine, anything extra, command)."""
    facts = [
        f"date: {started or datetime.now(UTC):%Y-%m-%dT%H:%M:%SZ} (UTC)",
        f"machine: {machine()}",
        *(extra or []),
        f"command: `{command}`",
    ]
    return f"# {title}\n\n" + "".join(f"- {fact}\n" for fact in facts)


def module_command(module: str) -> str:
    """`python -m MODULE ARGS...` as this process was started."""
    return shlex.join(["python", "-m", module, *sys.argv[1:]])


def machine() -> str:
    cpu = _first_value("/proc/cpuinfo", "model name") or platform.processor() or platform.machine()
    cores = f"{os.cpu_count()} cores"
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    if usable != os.cpu_count():
        cores += f" ({usable} usable)"
    memory_kib = _first_value("/proc/meminfo", "MemTotal")
    memory = f"{int(memory_kib.split()[0]) / 2**20:.1f} GiB memory" if memory_kib else "memory unknown"
    system = _first_value("/etc/os-release", "PRETTY_NAME", sep="=").strip('"') or platform.system()
    return f"{cpu}, {cores}, {memory}; {system} ({platform.platform()}), Python {platform.python_version()}"


def _first_value(path: str, key: str, sep: str = ":") -> str:
    try:
        lines = Path(path).read_text().splitlines()
    except OSError:
        return ""
    return next((line.split(sep, 1)[1].strip() for line in lines if line.split(sep, 1)[0].strip() == key), "")
