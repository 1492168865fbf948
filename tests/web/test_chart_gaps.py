"""The session and student charts break their lines where nothing was recorded, instead of drawing across the gap."""

import pytest

from eyeclass.lectures.charts import SERIES_COLUMNS, broken_at_gaps, session_series
from tests.web.factories import done_session
from tests.web.test_action_units import student_page


def rows(seconds, engagement=0.5):
    """SecondStat rows (SERIES_COLUMNS) for these seconds: one face, read."""
    shares = [1.0] + [0.0] * (len(SERIES_COLUMNS) - 5)
    return [(s, engagement, 1.0, 1.0, *shares) for s in seconds]


def test_a_live_pause_between_connections_is_a_null_point_not_a_line():
    series = session_series(rows([*range(0, 10), *range(40, 50)]), [], [])
    assert series["bin_seconds"] == 1
    gap = series["seconds"].index(10)
    assert series["seconds"][gap - 1 : gap + 2] == [9, 10, 40]
    assert series["engagement"][gap] is None and series["faces"][gap] is None
    assert all(values[gap] is None for values in series["emotions"].values())
    assert [e for e in series["engagement"] if e is not None] == [0.5] * 20


def test_one_second_with_no_analysed_frame_breaks_the_line_too():
    series = session_series(rows([0, 1, 2, 4, 5]), [], [])
    assert series["seconds"] == [0, 1, 2, 3, 4, 5] and series["engagement"][3] is None


def test_seconds_recorded_without_a_readable_face_are_not_a_gap():
    table = rows(range(6))
    table[2] = (2, None, 1.0, 0.0, *[None] * (len(SERIES_COLUMNS) - 4))  # a face present, not read
    series = session_series(table, [], [])
    assert series["seconds"] == list(range(6)) and series["faces"] == [1.0] * 6


def test_binned_gaps_break_at_bin_resolution_and_stay_within_the_point_budget():
    series = session_series(rows([*range(0, 400), *range(1000, 1400)]), [], [], max_points=100)
    size = series["bin_seconds"]
    assert size == 14 and len(series["seconds"]) <= 100
    nulls = [s for s, e in zip(series["seconds"], series["engagement"]) if e is None]
    assert len(nulls) == 1 and 400 <= nulls[0] < 1000
    steps = {b - a for a, b in zip(series["seconds"], series["seconds"][1:])}
    assert max(steps) > size  # the gap itself is one break, not a run of empty bins


def test_a_continuous_session_has_no_break():
    series = session_series(rows(range(100)), [], [], max_points=25)
    assert series["seconds"] == list(range(0, 100, 4)) and None not in series["engagement"]


def test_a_timeline_gets_an_empty_second_after_each_gap_only():
    timeline = [[3, 0.5], [4, 0.6], [9, 0.7], [10, None]]
    assert broken_at_gaps(timeline) == [[3, 0.5], [4, 0.6], [5, None], [9, 0.7], [10, None]]
    assert broken_at_gaps([[0, 1, 2], [5, 3, 4]]) == [[0, 1, 2], [1, None, None], [5, 3, 4]]
    assert broken_at_gaps([]) == [] and broken_at_gaps([[7, 0.1]]) == [[7, 0.1]]


@pytest.mark.django_db
def test_the_student_page_breaks_its_lines_where_the_student_was_not_seen(client, teacher):
    session = done_session(teacher, seconds=30, tracks=1)
    units = [[s, 0.01, 0.0, 0.0, 0.0, 0.0, 0.0, 0.1] for s in (*range(0, 5), *range(20, 25))]
    session.tracks.filter(track=1).update(
        timeline=[[s, 0.8] for s in (*range(0, 5), *range(20, 25))], units_timeline=units
    )
    _, data = student_page(client, teacher, session, 1)
    assert data["timeline"][4:7] == [[4, 0.8], [5, None], [20, 0.8]]
    assert data["units"]["AU1"][4:7] == [[4, 1.0], [5, None], [20, 1.0]]
