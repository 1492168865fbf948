"""Bounded waits on state for tests: poll a predicate until it holds, or fail naming what was awaited.

Tests synchronise with the processes they start (workers, servers, Redis) only through these, never
through fixed sleeps: a wait ends as soon as the state is there and fails with a reason when it never is.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Callable
from pathlib import Path

import pytest

INTERVAL = 0.1  # seconds between polls: short next to anything awaited, cheap for a query or a file read


def wait_until(
    predicate: Callable,
    timeout: float,
    what: str,
    *,
    diagnose: Callable[[], str] | None = None,
    give_up_if: Callable[[], bool] | None = None,
    interval: float = INTERVAL,
):
    """The predicate's first truthy value, polled for at most `timeout` seconds; fails the test naming
    `what` (and `diagnose()`, e.g. a log's tail) on timeout, or at once when `give_up_if()` holds."""
    deadline = time.monotonic() + timeout
    while not (value := predicate()):
        if give_up_if is not None and give_up_if():
            _fail(f"gave up waiting for: {what}", diagnose)
        if time.monotonic() > deadline:
            _fail(f"not within {timeout:g} s: {what}", diagnose)
        time.sleep(interval)
    return value


async def wait_until_async(
    predicate: Callable,
    timeout: float,
    what: str,
    *,
    diagnose: Callable[[], str] | None = None,
    interval: float = INTERVAL,
):
    """wait_until for async tests, without blocking the event loop; the predicate may be a coroutine function."""
    deadline = time.monotonic() + timeout
    while not (value := await _value_of(predicate)):
        if time.monotonic() > deadline:
            _fail(f"not within {timeout:g} s: {what}", diagnose)
        await asyncio.sleep(interval)
    return value


async def _value_of(predicate: Callable):
    value = predicate()
    return await value if inspect.isawaitable(value) else value


def _fail(message: str, diagnose: Callable[[], str] | None) -> None:
    pytest.fail(message + (f"\n{diagnose()}" if diagnose is not None else ""))


def log_tail(path: Path, chars: int = 3000) -> str:
    """The end of a process's log, to show why a wait on it failed."""
    return path.read_text(errors="replace")[-chars:]
