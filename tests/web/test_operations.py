"""The operational entry points: production settings and `manage.py serve` (what `make run` starts)."""

import os
import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.waiting import log_tail, wait_until


def manage(*args, env=None, timeout=120):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_production_settings_pass_the_deploy_check():
    env = {
        "EYECLASS_ENV": "production",
        "SECRET_KEY": "k" * 20 + "QxZ-8vT!pL2mN4bR7wY9eU3iO6aS1dF5gH0jK",
        "ALLOWED_HOSTS": "eyeclass.example.org",
    }
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = manage("check", env={"EYECLASS_ENV": "production", "SECRET_KEY": ""})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def processes() -> list[tuple[int, int, int, str]]:
    """(pid, ppid, pgid, state) of every process."""
    out = subprocess.run(["ps", "-e", "-o", "pid=,ppid=,pgid=,stat="], capture_output=True, text=True).stdout
    return [(int(p), int(pp), int(g), st) for p, pp, g, st in (row.split() for row in out.strip().splitlines())]


def command_of(pid: int) -> str:
    return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()


def nice_of(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[16])


def login_page(port: int) -> tuple[int, bytes] | None:
    """The login page's status and body, or None while nothing answers on the port."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=2) as response:
            return response.status, response.read()
    except OSError:
        return None


@pytest.mark.django_db(transaction=True)
def test_serve_runs_web_and_worker_and_stops_cleanly_on_ctrl_c(tmp_path, test_database_url):
    port = free_port()
    log = (tmp_path / "serve.log").open("w")
    env = {**os.environ, "DATABASE_URL": test_database_url}
    proc = subprocess.Popen(
        [sys.executable, "manage.py", "serve", "--port", str(port), "--web-processes", "2"],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    serve_log = tmp_path / "serve.log"
    until_up = {"diagnose": lambda: log_tail(serve_log), "give_up_if": lambda: proc.poll() is not None}
    try:
        status, page = wait_until(lambda: login_page(port), 90, "serve answering HTTP", **until_up)
        assert status == 200 and b"Log in" in page
        # serve starts two web processes on one socket, the upload worker and the live worker, each in its
        # own process group; the upload worker runs at a lower CPU priority than live frames
        groups = {pid for pid, parent, _, _ in processes() if parent == proc.pid}
        assert len(groups) == 4
        both_forked = lambda: serve_log.read_text().count("ready.") >= 2  # both workers have forked their pools
        wait_until(both_forked, 90, "the upload and live workers ready", **until_up)
        assert len([p for p, _, g, _ in processes() if g in groups]) >= 6
        niceness = {command_of(pid): nice_of(pid) for pid in groups}
        base = nice_of(proc.pid)  # the tests themselves may run niced; the kernel caps niceness at 19
        assert [n for c, n in niceness.items() if "-Q celery,gpu" in c] == [min(base + 10, 19)]
        assert [n for c, n in niceness.items() if "-Q live" in c] == [base]
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=60) == 0
        left = [p for p, _, g, state in processes() if g in groups and not state.startswith("Z")]
        assert not left, f"orphans left running: {left}"
    finally:
        for pid, parent, _, _ in processes():
            if parent == proc.pid:
                os.killpg(pid, signal.SIGKILL)
        if proc.poll() is None:
            proc.kill()


@pytest.mark.django_db
def test_the_admin_shows_sessions_classes_and_workers_and_reprocesses(
    admin_client, teacher, settings, tmp_path, django_capture_on_commit_callbacks
):
    from eyeclass.lectures.models import Session
    from eyeclass.ops.models import WorkerHeartbeat
    from tests.web.factories import done_session

    settings.MEDIA_ROOT = tmp_path
    WorkerHeartbeat.beat("w1@host", ["celery"], 123)
    kept, gone = done_session(teacher, seconds=5), done_session(teacher, seconds=5)
    Session.objects.filter(pk=kept.pk).update(video_file="uploads/kept.mp4")
    (tmp_path / "uploads").mkdir()
    (tmp_path / "uploads" / "kept.mp4").write_bytes(b"video")
    for url in [
        "/admin/lectures/session/",
        f"/admin/lectures/session/{kept.pk}/change/",
        "/admin/classrooms/classroom/",
        "/admin/ops/workerheartbeat/",
    ]:
        assert admin_client.get(url).status_code == 200, url
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = admin_client.post(
            "/admin/lectures/session/", {"action": "reprocess", "_selected_action": [kept.pk, gone.pk]}, follow=True
        )
    assert "Queued 1 of 2 sessions." in response.content.decode() and len(queued) == 1
    assert Session.objects.get(pk=kept.pk).status == "queued" and Session.objects.get(pk=gone.pk).status == "done"


def test_the_test_suite_keeps_its_files_out_of_the_real_var_folder(settings):
    real = (REPO / "var").resolve()
    folders = [settings.VAR_DIR, settings.MEDIA_ROOT, settings.STATIC_ROOT, Path(settings.DATABASES["default"]["NAME"])]
    folders += [Path(v) for v in settings.CELERY_BROKER_TRANSPORT_OPTIONS.values() if isinstance(v, str)]
    if settings.CELERY_RESULT_BACKEND.startswith("file://"):
        folders.append(Path(settings.CELERY_RESULT_BACKEND.removeprefix("file://")))
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        folders.append(Path(settings.DATABASES["default"]["TEST"]["NAME"]))
    assert not [f for f in folders if Path(f).resolve().is_relative_to(real)]
    assert os.environ["EYECLASS_VAR_DIR"] == str(settings.VAR_DIR)  # workers started by tests use it too


def start_serve(tmp_path, port: int, env: dict, log_name: str, queues: str = "celery,gpu") -> subprocess.Popen:
    command = [sys.executable, "manage.py", "serve", "--port", str(port), "--web-processes", "1", "--live-workers", "0"]
    log = (tmp_path / log_name).open("w")
    command += ["--grace", "1", "--queues", queues]
    return subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)


@pytest.mark.django_db(transaction=True)
def test_stopping_serve_mid_analysis_queues_the_video_again_at_once_and_it_completes(
    tmp_path, test_database_url, teacher
):
    from eyeclass.lectures.models import Session
    from eyeclass.lectures.tasks import process_session
    from tests.clips import write_clip
    from tests.web.factories import make_session
    from tests.web.waits import analysing, settled

    session = make_session(teacher, video_file=Session.new_video_file("long.mp4"))
    session.video_path.parent.mkdir(parents=True, exist_ok=True)
    write_clip(session.video_path, seconds=30, fps=10)
    # to a queue of its own, so that only this serve's worker takes it (not the suite's shared worker)
    session.status = "queued"
    session.save()
    process_session.apply_async(args=[session.pk], queue="serve-stop-test")
    env, port = {**os.environ, "DATABASE_URL": test_database_url}, free_port()
    serve = start_serve(tmp_path, port, env, "first.log", queues="serve-stop-test")
    try:
        analysing(session, past=0.02)
        interrupted = session.task_id
        serve.send_signal(signal.SIGINT)  # Ctrl-C mid-video; the worker gets 1 s, then is killed
        assert serve.wait(timeout=60) == 0
        assert f"Session {session.pk}: queued again" in (tmp_path / "first.log").read_text()
        session.refresh_from_db()
        assert session.task_id not in ("", interrupted)  # sent again at once (another worker may have it already)
        serve = start_serve(tmp_path, port, env, "second.log")  # the next start (or any worker) finishes it
        settled(session, 300, "the requeued video analysed")
        assert session.status == "done", session.error
        assert session.seconds.count() == 30
    finally:
        for pid, parent, _, _ in processes():
            if parent == serve.pid:
                os.killpg(pid, signal.SIGKILL)
        if serve.poll() is None:
            serve.kill()


def test_a_mistyped_setting_stops_the_start_and_names_the_variable():
    result = manage("check", env={"EYECLASS_GPU_QUEUE": "ture"})
    assert result.returncode != 0 and "EYECLASS_GPU_QUEUE='ture'" in result.stderr
    result = manage("check", env={"EYECLASS_LIVE_MAX_FACES": "8.5"})
    assert result.returncode != 0 and "EYECLASS_LIVE_MAX_FACES='8.5': expected a whole number" in result.stderr
    assert manage("check", env={"EYECLASS_GPU_QUEUE": "off", "EYECLASS_LIVE_MAX_FPS": "12.5"}).returncode == 0
