"""Faults: a worker process killed, Redis restarted, or PostgreSQL dropping connections, in the middle of a video."""

import os
import signal
import subprocess

import pytest
from django.conf import settings as django_settings

from eyeclass.lectures import lifecycle
from eyeclass.lectures.models import Session
from tests.clips import write_clip
from tests.conftest import WORKER_DB_NAME, start_celery_worker
from tests.waiting import log_tail, wait_until
from tests.web.factories import make_session
from tests.web.waits import analysing, settled

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not django_settings.EYECLASS_MODEL_PATH.is_file(), reason="no trained eye CNN yet"),
]


def pool_children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def test_a_killed_worker_process_is_replaced_and_the_video_completes_once(teacher, celery_worker_process):
    session = make_session(teacher, video_file=Session.new_video_file("long.mp4"), keep_video=True)
    session.video_path.parent.mkdir(parents=True, exist_ok=True)
    write_clip(session.video_path, seconds=30, fps=10)
    lifecycle.enqueue(session)  # outside a transaction, on_commit sends it at once

    analysing(session, what="processing started")
    [child] = pool_children(celery_worker_process.pid)
    os.kill(child, signal.SIGKILL)  # the process running the task dies mid-video
    settled(session, 300, "the task redelivered and done or failed")
    assert session.status == "done", session.error
    assert session.attempts >= 2  # it ran again after the crash
    assert session.seconds.count() == 30  # one row per second: nothing duplicated
    assert pool_children(celery_worker_process.pid) != [child]  # the worker survived with a new process


def test_a_redis_restart_during_processing_does_not_lose_the_session(
    teacher, private_redis, test_database_url, tmp_path
):
    from celery import Celery

    log = tmp_path / "worker.log"
    worker = start_celery_worker(test_database_url, log, "restart", "celery", {"REDIS_URL": private_redis.url})
    client = Celery(broker=private_redis.url, backend=private_redis.url, set_as_current=False)
    try:
        session = make_session(teacher, video_file=Session.new_video_file("long.mp4"), status="queued")
        session.video_path.parent.mkdir(parents=True, exist_ok=True)
        write_clip(session.video_path, seconds=30, fps=10)
        client.send_task("lectures.process", args=[session.pk], queue="celery")
        analysing(session, what="processing started")
        private_redis.kill()  # Redis goes away in the middle of the video...
        # its consumer notices, or, when the video ends first, storing the task's result fails
        wait_until(
            lambda: any(sign in log.read_text() for sign in ("Connection to broker lost", "Connection refused")),
            60,
            "the worker meeting Redis gone",
            diagnose=lambda: log_tail(log),
        )
        private_redis.start()  # ...and comes back empty (no persistence)
        settled(session, 300, "the session done or failed after a Redis restart")
        assert session.status == "done", session.error
        assert session.seconds.count() == 30
        assert worker.poll() is None  # the worker survived and serves new work
        # asked by a client connected after the restart: the first client's result subscription (made
        # before the restart) can miss a result published while redis-py was reconnecting it
        fresh = Celery(broker=private_redis.url, backend=private_redis.url, set_as_current=False)
        try:
            assert fresh.send_task("ops.ping", args=["after"], queue="celery").get(timeout=60)["echo"] == "after"
        finally:
            fresh.close()
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        client.close()


def test_postgresql_dropping_the_workers_connections_mid_video_does_not_lose_the_session(
    teacher, celery_worker_process
):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL; CI does)")
    session = make_session(teacher, video_file=Session.new_video_file("long.mp4"), keep_video=True)
    session.video_path.parent.mkdir(parents=True, exist_ok=True)
    write_clip(session.video_path, seconds=30, fps=10)
    lifecycle.enqueue(session)

    analysing(session, what="processing started")
    with connection.cursor() as cursor:  # what a PostgreSQL restart does to its clients, here the worker's
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = %s",
            [WORKER_DB_NAME],
        )
        assert cursor.fetchone()[0] >= 1
    settled(session, 300, "the session done or failed after its database connections were dropped")
    assert session.status == "done", session.error
    assert session.attempts >= 2  # the lost connection failed the first run; the retry completed it
    assert session.seconds.count() == 30  # nothing duplicated by the retry
    assert celery_worker_process.poll() is None
