"""The class by week, and two sessions overlaid by minute: withheld sessions count for nothing and say so."""

import json
from datetime import UTC, datetime, timedelta

import pytest

from eyeclass.classrooms.trends import by_minute, by_week
from eyeclass.lectures.models import Session
from inference.summary import ENOUGH_READABLE_SECONDS
from tests.web.factories import make_result, make_session

pytestmark = pytest.mark.django_db


def point(day: str, engagement, withheld=False) -> dict:
    return {"date": day, "engagement": engagement, "withheld": withheld}


def test_weeks_are_the_mean_of_their_sessions_and_empty_weeks_stay_empty():
    points = [
        point("2026-11-02", 0.6),  # a Monday
        point("2026-11-06", 0.8),  # the Friday of the same week
        point("2026-11-05", None, withheld=True),
        point("2026-11-18", 0.5),  # two weeks later, a Wednesday
    ]
    weeks = by_week(points)
    assert [w["week"] for w in weeks] == ["2026-11-02", "2026-11-09", "2026-11-16"]
    assert [w["engagement"] for w in weeks] == [pytest.approx(0.7), None, 0.5]
    assert [(w["sessions"], w["counted"]) for w in weeks] == [(3, 2), (0, 0), (1, 1)]
    assert by_week([]) == []


def test_minutes_are_means_of_their_measured_seconds():
    rows = [(s, 0.2 if s < 60 else None) for s in range(120)] + [(s, 0.9) for s in range(180, 200)]
    assert by_minute(rows) == [0.2, None, None, pytest.approx(0.9)]  # minute 2: nothing recorded


def session_on(teacher, classroom, title, when, engagement, seconds=150):
    session = make_session(teacher, title=title, classroom=classroom)
    result = make_result(seconds=seconds)
    for row in result.seconds:
        row.engagement = engagement
    session.store_results(result)
    Session.objects.filter(pk=session.pk).update(created_at=when)
    return Session.objects.get(pk=session.pk)


@pytest.fixture
def lessons(teacher):
    monday = datetime(2026, 11, 2, 9, tzinfo=UTC)
    first = session_on(teacher, None, "Monday", monday, 0.6)
    second = session_on(teacher, first.classroom, "Thursday", monday + timedelta(days=3), 0.8, seconds=100)
    too_few = ENOUGH_READABLE_SECONDS - 2
    short = session_on(teacher, first.classroom, "Too short", monday + timedelta(days=8), 0.37, too_few)
    return first, second, short


def data(page: str, name: str):
    start = page.index(f'id="{name}"')
    return json.loads(page[page.index(">", start) + 1 : page.index("</script>", start)])


def test_the_class_page_draws_the_weekly_mean_without_withheld_sessions(client, teacher, lessons):
    first, _, _ = lessons
    client.force_login(teacher)
    page = client.get(first.classroom.get_absolute_url()).content.decode()
    weeks = data(page, "weeks-data")
    assert [(w["week"], w["sessions"], w["counted"]) for w in weeks] == [("2026-11-02", 2, 2), ("2026-11-09", 1, 0)]
    assert weeks[0]["engagement"] == pytest.approx(0.7) and weeks[1]["engagement"] is None
    assert 'id="weeks-chart"' in page and "classcharts.js" in page


def test_the_comparison_overlays_two_sessions_by_minute(client, teacher, lessons):
    first, second, _ = lessons
    client.force_login(teacher)
    page = client.get(f"/classes/{first.classroom_id}/compare/?a={first.pk}&b={second.pk}").content.decode()
    curves = data(page, "curves-data")
    assert [c["title"] for c in curves] == ["Monday", "Thursday"]
    assert curves[0]["minutes"] == [0.6, 0.6, 0.6] and curves[1]["minutes"] == [0.8, 0.8]
    assert 'id="overlay-chart"' in page and "no curve" not in page


def test_a_withheld_session_draws_no_curve_and_says_so(client, teacher, lessons):
    first, _, short = lessons
    client.force_login(teacher)
    page = client.get(f"/classes/{first.classroom_id}/compare/?a={first.pk}&b={short.pk}").content.decode()
    curves = data(page, "curves-data")
    assert curves[1]["minutes"] is None and curves[0]["minutes"] == [0.6, 0.6, 0.6]
    assert "Too short: no curve — not enough readable faces" in page and "0.37" not in page
