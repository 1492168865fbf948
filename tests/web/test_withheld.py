"""One rule for "enough data" (inference.summary): a session with too little readable shows no number
read from the eyes anywhere: pages, the class trend, the comparison, the exports and the API."""

import csv
import io

import pytest

from inference.labels import LABELS
from inference.summary import ENOUGH_READABLE_SECONDS, WITHHELD_REASON, confidence, shown
from tests.web.factories import done_session, make_result, make_session

pytestmark = pytest.mark.django_db

WITHHELD_CELL = f'<span class="nodata" title="{WITHHELD_REASON}">'


@pytest.fixture
def pair(teacher):
    """A session with enough to read and, in the same class, a short one whose numbers are withheld."""
    good = done_session(teacher, seconds=60)
    short = make_session(teacher, title="Too short", classroom=good.classroom)
    result = make_result(seconds=ENOUGH_READABLE_SECONDS - 2, dip=(0, 3))
    for row in result.seconds:
        row.engagement = 0.37  # a number no other part of the page prints
    short.store_results(result)
    return good, short


def text(client, url: str) -> str:
    return client.get(url).content.decode()


def test_the_rule_withholds_every_number_read_from_the_eyes_and_keeps_the_counts():
    summary = {"engagement": 0.5, "dominant": ["happy"], "dips": [], "students": 3, "faces": 2.0, "seconds": 5}
    figures = shown(summary, confidence({**summary, "readable_seconds": 5})["enough"])
    assert figures["withheld"] and figures["engagement"] is None and figures["dominant"] is None
    assert figures["dips"] is None and figures["students"] == 3 and figures["faces"] == 2.0
    assert shown(summary, True)["engagement"] == 0.5


def test_a_short_clip_is_said_to_be_too_short_rather_than_unreadable():
    c = confidence({"seconds": 8, "readable_seconds": 8, "faces": 1.0, "readable": 1.0})
    assert not c["enough"] and "8 s long" in c["reason"] and "too small" not in c["reason"]
    c = confidence({"seconds": 12, "readable_seconds": 9, "faces": 1.0, "readable": 0.8})
    assert not c["enough"] and "only 9 s" in c["reason"]


def test_the_home_list_and_the_class_table_show_a_withheld_number_as_withheld(client, teacher, pair):
    good, short = pair
    client.force_login(teacher)
    for url in ("/", good.classroom.get_absolute_url()):
        page = text(client, url)
        row = page.split(f'href="{short.get_absolute_url()}"')[1].split("</tr>")[0]
        assert WITHHELD_CELL in row and "0.37" not in row
        assert "0.80" in page.split(f'href="{good.get_absolute_url()}"')[1].split("</tr>")[0]


def test_the_class_trend_leaves_a_withheld_session_out(client, teacher, pair):
    good, short = pair
    points = {p["id"]: p for p in good.classroom.trend()}
    assert points[short.pk]["withheld"] and points[short.pk]["engagement"] is None
    assert points[short.pk]["emotions"] == {}
    assert points[good.pk]["engagement"] == pytest.approx(0.8) and not points[good.pk]["withheld"]
    client.force_login(teacher)
    assert "0.37" not in text(client, good.classroom.get_absolute_url())


def test_the_comparison_shows_withheld_numbers_as_withheld(client, teacher, pair):
    good, short = pair
    client.force_login(teacher)
    page = text(client, f"/classes/{good.classroom_id}/compare/?a={good.pk}&b={short.pk}")
    second = page.split(f'href="{short.get_absolute_url()}"')[1]
    assert second.count(WITHHELD_CELL) == 4 and "0.37" not in second


def test_the_exports_and_the_api_carry_no_withheld_number(client, teacher, pair):
    good, short = pair
    client.force_login(teacher)
    rows = list(csv.DictReader(io.StringIO(b"".join(client.get(f"/sessions/{short.pk}/export.csv")).decode())))
    assert len(rows) == ENOUGH_READABLE_SECONDS - 2 and rows[0]["faces_present"] == "3.0"
    assert all(row[name] == "" for row in rows for name in ("engagement", "facing", "perclos", *LABELS))
    students = b"".join(client.get(f"/sessions/{short.pk}/students.csv")).decode()
    assert "0.75" not in students and "happy" not in students.splitlines()[1]
    for url in (f"/sessions/{short.pk}/export.json", f"/api/sessions/{short.pk}/"):
        document = client.get(url).json()
        summary = document["session"]["summary"]
        assert summary["withheld"] and summary["engagement"] is None and summary["emotions"] is None
        assert all(row["engagement"] is None and row["neutral"] is None for row in document["seconds"])
        assert all(t["engagement"] is None and t["timeline"] is None for t in document["tracks"])
        assert document["events"] == []
    api_class = client.get(f"/api/classes/{good.classroom_id}/").json()
    listed = {s["id"]: s["summary"] for s in api_class["sessions"]}
    assert listed[short.pk]["engagement"] is None and listed[good.pk]["engagement"] == pytest.approx(0.8)
    assert [p["engagement"] for p in api_class["trend"] if p["id"] == short.pk] == [None]


def test_the_session_page_says_why_before_the_counts_and_draws_no_chart(client, teacher, pair):
    _, short = pair
    client.force_login(teacher)
    page = text(client, short.get_absolute_url())
    why, counts = page.index("Not enough could be read"), page.index(f"of {ENOUGH_READABLE_SECONDS - 2} s</strong>")
    assert why < counts and "s long: numbers need at least" in page
    assert "0.37" not in page and 'id="engagement-chart"' not in page and 'id="no-charts"' in page
    dips = page.split('id="dips"')[1].split("</section>")[0]
    assert "not enough readable faces" in dips and "never stayed below" not in dips


def test_the_student_page_of_a_withheld_session_shows_no_number(client, teacher, pair):
    _, short = pair
    client.force_login(teacher)
    page = text(client, f"/sessions/{short.pk}/students/1/")
    assert page.count(WITHHELD_CELL) >= 4 and "0.75" not in page and "student-data" not in page


def test_the_dips_card_says_engagement_was_not_measured_when_it_was_not(client, teacher):
    result = make_result(seconds=30)
    for row in result.seconds:
        row.engagement, row.tracks = None, {}
    session = make_session(teacher)
    session.store_results(result)
    client.force_login(teacher)
    dips = text(client, session.get_absolute_url()).split('id="dips"')[1].split("</section>")[0]
    assert "engagement was not measured" in dips and "never stayed below" not in dips


def test_the_upload_form_says_a_short_clip_gets_no_numbers(client, teacher):
    make_session(teacher)
    client.force_login(teacher)
    assert f"under {ENOUGH_READABLE_SECONDS} seconds" in text(client, "/sessions/upload/")


def test_a_room_of_faces_too_small_for_eyes_shows_attention_facing_only_and_withholds_emotions(client, teacher):
    session = done_session(teacher, seconds=60, head_only=True)
    figures, sure = session.figures, session.confidence
    assert sure["enough"] and not sure["eyes_enough"] and sure["facing_only"]
    assert figures["engagement"] == pytest.approx(0.8) and figures["eyes_withheld"]
    assert figures["micro_events"] is None and figures["dominant"] is None
    client.force_login(teacher)
    page = text(client, session.get_absolute_url())
    assert "Average engagement (facing only)" in page and "by head orientation only" in page
    assert page.count(f"{WITHHELD_CELL}eyes too small</span>") == 2  # dominant emotions, expression events
    eyes = done_session(teacher, seconds=60, head_only=False)
    assert not eyes.confidence["facing_only"] and not eyes.figures["eyes_withheld"]
