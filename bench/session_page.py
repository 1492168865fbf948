"""How fast does the page of a 1-hour session load? Measures the page, the status poll and the API.

    python -m bench.session_page [--seconds 3600] [--tracks 30] [--repeat 20] [--markdown [FILE]]

Uses the configured database (DATABASE_URL, else the SQLite file); everything it writes is rolled back.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "eyeclass.settings")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402

from bench.report import Report, add_markdown_option  # noqa: E402
from tests.web.factories import make_result, make_session  # noqa: E402


class Rollback(Exception):
    pass


def timed(client: Client, url: str, repeat: int) -> tuple[float, float, int]:
    samples, size = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        size = len(body)
    return statistics.median(samples), max(samples), size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=3600)
    parser.add_argument("--tracks", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=20)
    add_markdown_option(parser, "session_page")
    args = parser.parse_args()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    report = Report(args.markdown, "Session page load", services=("database",))
    try:
        with transaction.atomic():
            teacher = get_user_model().objects.create_user(f"bench-{time.time_ns()}", password="bench-pass-123")
            session = make_session(teacher, title="One hour")
            start = time.perf_counter()
            session.store_results(make_result(seconds=args.seconds, tracks=args.tracks))
            store_ms = (time.perf_counter() - start) * 1000
            client = Client()
            client.force_login(teacher)
            print(
                f"database: {connection.vendor}; session: {args.seconds} s, {args.tracks} tracks; "
                f"storing results took {store_ms:.0f} ms\n"
            )
            print("| request | median ms | max ms | bytes |\n| --- | ---: | ---: | ---: |")
            for name, url in [
                ("session page", f"/sessions/{session.pk}/"),
                ("status poll", f"/sessions/{session.pk}/status/"),
                ("API session", f"/api/sessions/{session.pk}/"),
                ("CSV export", f"/sessions/{session.pk}/export.csv"),
                ("class page", f"/classes/{session.classroom_id}/"),
            ]:
                median, worst, size = timed(client, url, args.repeat)
                print(f"| {name} | {median:.1f} | {worst:.1f} | {size:,} |")
            raise Rollback
    except Rollback:
        pass
    report.save()


if __name__ == "__main__":
    main()
