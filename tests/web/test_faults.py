"""Faults: a worker process killed in the middle of a video."""

import os
import signal
import subprocess
import time

import pytest
from django.conf import settings as django_settings

from eyeclass.lectures.models import Lecture
from tests.clips import write_clip
from tests.web.factories import make_lecture

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not django_settings.EYECLASS_MODEL_PATH.is_file(), reason="no trained eye CNN yet"),
]


def pool_children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def wait_until(predicate, timeout: float, message: str):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, message
        time.sleep(0.2)


def test_a_killed_worker_process_is_replaced_and_the_video_completes_once(teacher, celery_worker_process):
    lecture = make_lecture(teacher, video_file=Lecture.new_video_file("long.mp4"), keep_video=True)
    lecture.video_path.parent.mkdir(parents=True, exist_ok=True)
    write_clip(lecture.video_path, seconds=30, fps=10)
    lecture.enqueue()  # outside a transaction, on_commit sends it at once

    def processing():
        lecture.refresh_from_db()
        return lecture.status == "processing" and lecture.progress > 0.05

    wait_until(processing, 180, "processing never started")
    [child] = pool_children(celery_worker_process.pid)
    os.kill(child, signal.SIGKILL)  # the process running the task dies mid-video

    def done():
        lecture.refresh_from_db()
        return lecture.status in ("done", "failed")

    wait_until(done, 300, "the task was not redelivered")
    assert lecture.status == "done", lecture.error
    assert lecture.attempts >= 2  # it ran again after the crash
    assert lecture.seconds.count() == 30  # one row per second: nothing duplicated
    assert pool_children(celery_worker_process.pid) != [child]  # the worker survived with a new process
