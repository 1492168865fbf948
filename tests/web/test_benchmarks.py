"""The benchmarks in bench/ keep working: tiny runs against the test database (full runs: docs/benchmarks/)."""

import os
import subprocess
import sys

import pytest
from django.conf import settings as django_settings

from tests.conftest import REPO, SHARED

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.system]  # each runs a bench in a process of its own


def bench(name: str, *args: str, database_url: str, timeout: int = 300, env: dict | None = None) -> str:
    result = subprocess.run(
        [sys.executable, "-m", f"bench.{name}", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        env={**os.environ, "DATABASE_URL": database_url, **(env or {})},
        timeout=timeout,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-8000:]
    return result.stdout


def table_row(output: str, first_cell: str) -> list[str]:
    for line in output.splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if cells and cells[0] == first_cell:
            return cells
    raise AssertionError(f"no row {first_cell!r} in:\n{output}")


def test_the_session_page_bench_runs(test_database_url):
    out = bench("session_page", "--seconds", "600", "--tracks", "5", "--repeat", "2", database_url=test_database_url)
    assert float(table_row(out, "session page")[1]) > 0


def test_a_bench_writes_a_markdown_report(test_database_url, tmp_path):
    path = tmp_path / "reports" / "session_page.md"
    args = ["--seconds", "60", "--tracks", "2", "--repeat", "1", "--markdown", str(path)]
    out = bench("session_page", *args, database_url=test_database_url)
    report = path.read_text()
    assert report.startswith("# Session page load\n")
    assert f"- command: `python -m bench.session_page {' '.join(args)}`" in report
    for fact in ("- date: ", "- machine: ", "- database: ", "- load average (1 min): "):
        assert fact in report
    assert out.strip() in report  # what it printed, tables included
    assert "| request | median ms | max ms | bytes |" in report and table_row(report, "session page")


def test_the_dashboard_load_bench_runs(test_database_url):
    out = bench("dashboard_load", "--users", "4", "--teachers", "1", "--seconds", "3", database_url=test_database_url)
    row = table_row(out, "all")
    assert int(row[1]) > 0 and row[5] == "0"  # requests made, no errors


@pytest.mark.skipif(not django_settings.EYECLASS_MODEL_PATH.is_file(), reason="no trained eye CNN yet")
def test_the_live_streams_bench_runs(test_database_url, tmp_path):
    from tests.clips import write_clip

    talk = SHARED / "data" / "video" / "talk_single_face.mp4"
    video = talk if talk.exists() else write_clip(tmp_path / "clip.mp4", seconds=3)
    out = bench(
        "live_streams", "--streams", "1", "--seconds", "3", "--video", str(video), database_url=test_database_url
    )
    row = table_row(out, "1")
    assert row[2] == "none" and int(row[3]) == 15 and int(row[4]) > 0  # 15 frames sent at 5 fps, results came back


def test_the_request_memory_bench_runs():
    timeouts = {"EYECLASS_BODY_IDLE_TIMEOUT_SECONDS": "1", "EYECLASS_HEADER_TIMEOUT_SECONDS": "1"}
    out = bench("request_memory", "--sizes", "3", "--timeout", "20", database_url="", env=timeouts)
    assert table_row(out, "3 MiB")[3] == "413"  # an anonymous 3 MiB body: refused unread
    assert table_row(out, "3 MiB GET")[3] == "413"  # a GET's body too
    assert [c for c in table_row(out, "3 GiB declared, 20 MiB sent")][3] == "413"
    assert table_row(out, "2 MB declared, 10 B sent")[3] == table_row(out, "headers, a byte a second")[3] == "408"


@pytest.mark.skipif(not django_settings.EYECLASS_MODEL_PATH.is_file(), reason="no trained eye CNN yet")
def test_the_analyzer_memory_bench_runs(test_database_url):
    out = bench("analyzer_memory", "--sessions", "5", "--frames", "2", database_url=test_database_url)
    assert float(table_row(out, "5")[1]) > 100  # MiB resident after 5 sessions, model loaded
