"""The session charts break their lines where nothing was recorded, instead of drawing across the gap."""

from eyeclass.lectures.charts import SERIES_COLUMNS, session_series


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
