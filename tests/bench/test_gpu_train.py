"""bench/gpu_train.py's scheduler: which trainings it starts on a lent GPU before its deadline."""

import importlib.util
import json
import sys
import time

import pytest

from tests.conftest import REPO

spec = importlib.util.spec_from_file_location("gpu_train", REPO / "bench" / "gpu_train.py")
gpu_train = sys.modules["gpu_train"] = importlib.util.module_from_spec(spec)  # dataclasses look it up there
spec.loader.exec_module(gpu_train)


@pytest.fixture
def runner(tmp_path):
    return gpu_train.Runner(tmp_path / "out", "faces.npz", budget=300, work=tmp_path)


def running(runner, name, band, epochs, done=0, seconds=()):
    job = gpu_train.Job(name, band, epochs, seed=1, status="running")
    if seconds:
        (runner.runs / name).mkdir(parents=True)
        (runner.runs / name / "state.json").write_text(json.dumps({"epoch": done, "seconds_per_epoch": list(seconds)}))
    return job


def test_the_plan_starts_with_the_eye_model_and_the_full_face_comparison():
    jobs = gpu_train.plan(1.0)
    assert [(j.band, j.epochs) for j in jobs[:2]] == [("eye", 60), ("full", 60)]
    assert all(j.band == "eye" for j in jobs[2:]) and len({j.seed for j in jobs}) == len(jobs) - 1
    assert [j.epochs for j in gpu_train.plan(0.05)[:4]] == [3, 3, 3, 5]


def test_it_waits_until_every_running_job_has_been_measured(runner):
    measured = running(runner, "eye_s1", "eye", 60, done=5, seconds=[30, 1, 1, 1, 1])
    unmeasured = running(runner, "full_s1", "full", 60)
    assert not runner.fits(gpu_train.Job("eye_s2", "eye", 10, 2), [measured, unmeasured])


def test_it_starts_a_job_only_when_all_work_ends_before_the_deadline(runner):
    # 1 s an eye epoch, 55 epochs left; a full-face epoch costs 48/28 of an eye epoch
    jobs = [running(runner, "eye_s1", "eye", 60, done=5, seconds=[30, 1, 1, 1, 1])]
    assert runner.fits(gpu_train.Job("eye_s2", "eye", 60, 2), jobs)  # 55 + 60 + 60 s < 0.9 * 300
    assert not runner.fits(gpu_train.Job("eye_e100", "eye", 200, 3), jobs)  # 55 + 200 + 60 s > 270
    assert not runner.fits(gpu_train.Job("full_s2", "full", 100, 4), jobs)  # 55 + 171 + 60 s > 270
    runner.deadline = time.monotonic() + 100
    assert not runner.fits(gpu_train.Job("eye_s2", "eye", 10, 2), jobs)  # 55 + 10 + 60 s > 90


def test_a_finished_jobs_rate_decides_when_nothing_runs(runner):
    finished = running(runner, "eye_s1", "eye", 60, done=60, seconds=[30] + [2] * 59)
    finished.status = "done"
    assert runner.fits(gpu_train.Job("eye_s2", "eye", 60, 2), [finished])  # 120 + 60 s < 270
    assert not runner.fits(gpu_train.Job("eye_s3", "eye", 120, 3), [finished])  # 240 + 60 s > 270
