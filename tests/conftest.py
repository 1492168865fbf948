"""Shared fixtures: paths, a teacher, and a real Celery worker process bound to the test database."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.waiting import log_tail, wait_until

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("EYECLASS_SHARED_DIR", REPO.parent / "shared"))


def shared_path(*parts: str) -> Path:
    """A file under ../shared, or a clean skip when this clone has none."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent (../shared is only in the team's checkouts and CI)")
    return path


# Test tiers. `make test` runs them all; `make test-fast` only the first.
# - fast: pure functions, models and views in-process (the database, no other process);
# - lab: in-process but seconds each (training a network, a long stream), marked `lab` by hand;
# - system: real worker, web server or Redis processes, Chromium, or the clips in ../shared.
# A test is put in `system` by the fixtures it uses (directly or through other fixtures) or its marks.
SYSTEM_FIXTURES = {"celery_worker_process", "test_database_url", "private_redis", "browser"}
SYSTEM_MARKS = {"browser", "shared", "system"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if SYSTEM_FIXTURES & set(item.fixturenames) or SYSTEM_MARKS & {m.name for m in item.iter_markers()}:
            item.add_marker(pytest.mark.system)
        elif not item.get_closest_marker("lab"):
            item.add_marker(pytest.mark.fast)


@pytest.fixture
def teacher(django_user_model):
    return django_user_model.objects.create_user(username="ada", password="s3cret-pass-123")


@pytest.fixture
def other_teacher(django_user_model):
    return django_user_model.objects.create_user(username="bob", password="s3cret-pass-456")


def _database_url_for_tests() -> str:
    from django.db import connection

    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    host = settings.get("HOST") or ""
    port = f":{settings['PORT']}" if settings.get("PORT") else ""
    password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
    return f"postgres://{settings.get('USER', '')}{password}@{host}{port}/{settings['NAME']}"


@pytest.fixture(scope="session")
def test_database_url(django_db_setup, django_db_blocker) -> str:
    """DATABASE_URL of the test database, for subprocesses (workers, servers) started by tests."""
    with django_db_blocker.unblock():
        return _database_url_for_tests()


WORKER_DB_NAME = "eyeclass-test-worker"
WARMED_UP = ("eye CNN on", "model warm-up skipped")  # what a pool process logs as its model warm-up ends


def start_celery_worker(
    database_url: str, log: Path, name: str, queues: str, env: dict | None = None, warm: bool = False
):
    """A real `celery worker` subprocess named `name@host` consuming `queues` (and its own direct queue),
    with `env` over this process's environment; stop it with `stop_celery_worker`. With `warm`, returned
    once its pool process has loaded the model too (a live frame's result is lost after seconds)."""
    if database_url.startswith("postgres"):  # so that a test can find (and drop) the worker's connections
        database_url += ("&" if "?" in database_url else "?") + f"application_name={WORKER_DB_NAME}"
    env = {**os.environ, "DATABASE_URL": database_url, "WORKER_HEARTBEAT_SECONDS": "1", **(env or {})}
    cmd = [sys.executable, "-m", "celery", "-A", "eyeclass", "worker", "-l", "info", "-c", "1", "-Q", queues]
    cmd += ["-n", f"{name}@%h"]
    with log.open("w") as out:
        proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)

    def ready() -> bool:
        text = log.read_text()
        return "ready." in text and (not warm or any(line in text for line in WARMED_UP))

    try:
        wait_until(
            ready,
            120,
            f"celery worker {name} ready" + (" with its model loaded" if warm else ""),
            diagnose=lambda: log_tail(log),
            give_up_if=lambda: proc.poll() is not None,
        )
    except BaseException:  # pytest.fail's exception is no Exception
        os.killpg(proc.pid, signal.SIGKILL)
        raise
    proc.log_path = log
    proc.hostname = f"{name}@{socket.gethostname()}"
    return proc


def stop_celery_worker(proc) -> None:
    # the main process only: a TERM to the whole group kills the pool child first, and the worker then
    # starts a new one in the middle of its warm shutdown and never exits
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)


@pytest.fixture(scope="session")
def celery_worker_process(test_database_url, tmp_path_factory):
    """A real `celery worker` subprocess (not eager mode) using the test database, its model loaded."""
    from django.conf import settings

    log = tmp_path_factory.mktemp("worker") / "worker.log"
    warm = settings.EYECLASS_EMOTIONS and settings.EYECLASS_WARM_UP_MODEL
    proc = start_celery_worker(test_database_url, log, f"test-{os.getpid()}", "celery,gpu", warm=warm)
    yield proc
    stop_celery_worker(proc)


@pytest.fixture
def private_redis(tmp_path):
    """A Redis server of this test's own, so that it can be restarted without disturbing anything else."""
    import shutil
    import socket

    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cmd = [
        "redis-server",
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        str(tmp_path),
    ]

    class Server:
        url = f"redis://127.0.0.1:{port}/0"

        def start(self):
            self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
            wait_until(
                lambda: (
                    subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True).stdout.strip()
                    == b"PONG"
                ),
                20,
                "redis answering PING",
                give_up_if=lambda: self.proc.poll() is not None,
            )

        def kill(self):
            self.proc.kill()
            self.proc.wait()

    server = Server()
    server.start()
    yield server
    server.kill()
