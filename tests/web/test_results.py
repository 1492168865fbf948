import csv
import dataclasses
import io

import pytest

from eyeclass.lectures.models import ExpressionEvent, SecondStat, Session, Student
from inference.labels import LABELS, MIX_LABELS
from tests.web.factories import done_session, make_result, make_session

pytestmark = pytest.mark.django_db


def counts(session):
    return (session.seconds.count(), session.tracks.count(), session.events.count())


def test_it_stores_the_numbers(teacher):
    session = done_session(teacher, seconds=60, tracks=3)
    assert counts(session) == (60, 3, 2)
    assert session.status == "done" and session.progress == 1.0
    row = session.seconds.get(second=5)
    assert row.faces_present == 3 and row.engagement == pytest.approx(0.8)
    assert sum(getattr(row, label) for label in LABELS) == pytest.approx(1.0, abs=1e-3)
    track = session.tracks.get(track=1)
    assert track.dominant == "happy" and len(track.timeline) == 60 and track.timeline[0] == [0, 0.8]


def test_storing_twice_replaces_instead_of_duplicating(teacher):
    session = done_session(teacher, seconds=60, tracks=3)
    session.store_results(make_result(seconds=30, tracks=2, seed=1))
    assert counts(session) == (30, 2, 2)
    assert SecondStat.objects.count() == 30 and Student.objects.count() == 2 and ExpressionEvent.objects.count() == 2


def test_a_failed_store_leaves_the_previous_results(teacher):
    session = done_session(teacher, seconds=20, tracks=1)
    broken = make_result(seconds=10)
    broken.seconds[3].second = broken.seconds[2].second  # violates one row per second
    with pytest.raises(Exception):
        session.store_results(broken)
    session = Session.objects.get(pk=session.pk)
    assert counts(session) == (20, 1, 2) and session.status == "done"


def test_the_summary_cards(teacher):
    session = done_session(teacher, seconds=60, tracks=2, dip=(20, 29))
    summary = session.summary
    assert summary["tracks"] == 2 and summary["students"] == 2
    assert summary["micro_events"] == 1 and summary["macro_events"] == 1
    assert summary["engagement"] == pytest.approx((50 * 0.8 + 10 * 0.2) / 60, abs=1e-3)
    assert len(summary["dominant"]) == 2 and set(summary["dominant"]) <= set(LABELS)
    [dip] = summary["dips"]
    assert abs(dip["start"] - 20) <= 2 and abs(dip["end"] - 29) <= 2 and dip["engagement"] < 0.5


def test_a_steady_session_has_no_dips(teacher):
    assert done_session(teacher, seconds=60).summary["dips"] == []


def test_the_session_page_draws_charts(client, teacher):
    session = done_session(teacher, seconds=60, tracks=3)
    client.force_login(teacher)
    page = client.get(session.get_absolute_url()).content.decode()
    for needle in (
        'id="emotion-chart"',
        'id="engagement-chart"',
        'id="heatmap"',
        "chart.umd.min.js",
        'id="series-data"',
    ):
        assert needle in page


def test_the_session_page_has_an_empty_state(client, teacher):
    session = make_session(teacher)
    session.store_results(make_result(seconds=0, tracks=0))
    client.force_login(teacher)
    assert "No faces found" in client.get(session.get_absolute_url()).content.decode()


def test_a_failed_session_shows_its_reason(client, teacher):
    session = make_session(teacher, status="failed", error="This file is not a readable video.")
    client.force_login(teacher)
    assert "This file is not a readable video." in client.get(session.get_absolute_url()).content.decode()


def test_it_exports_csv(client, teacher):
    session = done_session(teacher, seconds=12)
    client.force_login(teacher)
    response = client.get(f"/sessions/{session.pk}/export.csv")
    assert response["Content-Disposition"] == 'attachment; filename="week-1.csv"'
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == 12 and rows[0]["second"] == "0" and set(LABELS) <= set(rows[0])
    assert float(rows[3]["engagement"]) == pytest.approx(0.8)


def test_it_exports_json_and_serves_the_api(client, teacher):
    session = done_session(teacher, seconds=12, tracks=2)
    client.force_login(teacher)
    exported = client.get(f"/sessions/{session.pk}/export.json").json()
    api = client.get(f"/api/sessions/{session.pk}/").json()
    assert exported == api
    assert api["session"]["title"] == "Week 1" and api["labels"] == list(LABELS)
    assert len(api["seconds"]) == 12 and len(api["tracks"]) == 2 and len(api["events"]) == 2
    classes = client.get("/api/classes/").json()["classes"]
    assert [c["name"] for c in classes] == ["Physics"]
    detail = client.get(f"/api/classes/{classes[0]['id']}/").json()
    assert (
        detail["sessions"][0]["id"] == session.pk and detail["trend"][0]["engagement"] == session.summary["engagement"]
    )


def test_the_api_needs_a_login(client, teacher):
    session = done_session(teacher, seconds=5)
    for url in ("/api/classes/", f"/api/sessions/{session.pk}/"):
        response = client.get(url)
        assert response.status_code == 401 and response.json() == {"error": "authentication required"}


def test_the_status_endpoint(client, teacher):
    session = make_session(teacher, status="processing", progress=0.25)
    client.force_login(teacher)
    body = client.get(f"/sessions/{session.pk}/status/").json()
    assert body == {
        "id": session.pk,
        "status": "processing",
        "progress": 0.25,
        "remaining": None,  # not started: no pace to go on
        "remaining_text": "",
        "error": "",
        "url": session.get_absolute_url(),
        "playback": "",
    }


def test_the_class_page_shows_trends(client, teacher):
    session = done_session(teacher, seconds=30)
    client.force_login(teacher)
    page = client.get(session.classroom.get_absolute_url()).content.decode()
    assert 'id="trend-chart"' in page and 'id="trend-data"' in page


def test_long_sessions_are_binned_for_the_page(teacher):
    session = done_session(teacher, seconds=100, tracks=2, dip=(40, 59))
    series = session.series(max_points=25)
    assert series["bin_seconds"] == 4 and len(series["seconds"]) == 25 and series["seconds"][:3] == [0, 4, 8]
    assert series["engagement"][10] == pytest.approx(0.2) and series["engagement"][0] == pytest.approx(0.8)
    assert series["engagement"][9] == pytest.approx(0.8) and series["engagement"][15] == pytest.approx(0.8)
    assert sum(series["emotions"][label][3] for label in MIX_LABELS) == pytest.approx(1.0, abs=1e-3)
    timeline = series["tracks"][0]["timeline"]
    assert len(timeline) == 25 and timeline[10] == [40, pytest.approx(0.2)]


def test_chart_data_is_safe_inside_a_script_tag():
    from eyeclass.lectures.charts import script_safe_json

    text = script_safe_json({"label": "</script><script>alert(1)</script>&"})
    assert "<" not in text and ">" not in text and "&" not in text
    import json

    assert json.loads(text) == {"label": "</script><script>alert(1)</script>&"}


def test_the_session_page_says_why_eyes_could_not_be_read(client, teacher):
    from inference.readability import ReadabilityCounter
    from inference.records import Box, FaceRecord, FrameResult

    counter = ReadabilityCounter(12.0, lambda rec: None)
    tiny = [FaceRecord(0, 0.0, 1, Box(0, 0, 8, 8), 0.7, iod, flags=["eyes_unreadable", "small_face"]) for iod in (3, 5)]
    counter.add(FrameResult(0, 0.0, tiny))
    session = make_session(teacher)
    session.store_results(dataclasses.replace(make_result(seconds=5, tracks=1), readability=counter.result()))
    assert session.summary["readability"]["small_face"] == 2
    client.force_login(teacher)
    page = client.get(session.get_absolute_url()).content.decode()
    assert 'id="confidence"' in page and "eyes need 12 px" in page


def test_a_result_without_readability_shows_no_readability_card(client, teacher):
    session = done_session(teacher, seconds=10)
    client.force_login(teacher)
    assert 'id="readability"' not in client.get(session.get_absolute_url()).content.decode()


@pytest.mark.parametrize("fps, words", [(10.0, "read at 10 frames a second"), (None, "read at every frame")])
def test_a_session_says_at_what_rate_it_was_read(client, teacher, fps, words):
    session = make_session(teacher)
    session.store_results(
        dataclasses.replace(make_result(seconds=20), options={"fps": fps, "tiles": "auto", "max_faces": 4})
    )
    client.force_login(teacher)
    assert words in client.get(session.get_absolute_url()).content.decode()
    assert client.get(f"/sessions/{session.pk}/export.json").json()["session"]["options"]["fps"] == fps


def test_a_session_analysed_before_its_options_were_kept_says_nothing_of_its_rate(client, teacher):
    session = done_session(teacher)  # options {}: as sessions stored before
    client.force_login(teacher)
    assert "read at" not in client.get(session.get_absolute_url()).content.decode()


def test_the_mix_is_charted_by_share_and_the_json_export_keeps_the_mean_probabilities(client, teacher):
    result = make_result(seconds=12, tracks=1)
    row = result.seconds[0]
    row.emotion_mix = {**dict.fromkeys(MIX_LABELS, 0.0), "neutral": 0.75, "uncertain": 0.25}
    row.emotion_probs = {**dict.fromkeys(LABELS, 0.05), "neutral": 0.6, "angry": 0.1}
    session = make_session(teacher)
    session.store_results(result)
    series = session.series()
    assert series["labels"] == list(MIX_LABELS) and series["emotions"]["angry"][0] == 0.0
    assert series["emotions"]["uncertain"][0] == 0.25
    client.force_login(teacher)
    first = client.get(f"/sessions/{session.pk}/export.json").json()["seconds"][0]
    assert first["angry"] == 0.1 and first["angry_share"] == 0.0 and first["neutral_share"] == 0.75
    track = client.get(f"/sessions/{session.pk}/export.json").json()["tracks"][0]
    assert track["probabilities"]["happy"] == 0.4 and track["emotion_mix"]["uncertain"] == 0.1
