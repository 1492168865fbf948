"""The eye-region action units are stored per second, per student and per event, exported, and charted."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from eyeclass.lectures.models import ExpressionEvent, SecondStat, Student
from inference.records import ActionUnits
from tests.web.factories import make_result, make_session

pytestmark = pytest.mark.django_db


def units(au1: float) -> ActionUnits:
    return ActionUnits(au1=au1, au2=0.02, au4=-0.01, au5=0.0, au6=0.005, au7=0.0, au43=0.25)


def result_with_units(seconds: int = 12):
    """Track 1 has units from second 2 on (its calm was known then); track 2 never; events name actions."""
    result = make_result(seconds=seconds, tracks=2)
    for row in result.seconds[2:]:
        row.units = units(0.01 * (row.second % 3))
        row.track_units = {"1": units(0.01 * (row.second % 3))}
    result.tracks[0].units = units(0.01)
    result.events[0].actions = ["AU1", "AU2"]
    return result


def stored(teacher):
    session = make_session(teacher)
    session.store_results(result_with_units())
    return session


def test_stored_rows_carry_the_action_units_and_the_events_their_actions(teacher):
    session = stored(teacher)
    second = SecondStat.objects.get(session=session, second=4)
    assert (second.au1, second.au2, second.au4, second.au43) == (0.01, 0.02, -0.01, 0.25)
    assert SecondStat.objects.get(session=session, second=1).au1 is None  # no face had units yet
    one, two = Student.objects.filter(session=session).order_by("track")
    assert one.units == units(0.01).to_dict() and two.units is None and two.units_timeline == []
    assert one.units_timeline[0] == [2, 0.02, 0.02, -0.01, 0.0, 0.005, 0.0, 0.25] and len(one.units_timeline) == 10
    by_track = dict(ExpressionEvent.objects.filter(session=session).values_list("track", "actions"))
    assert by_track == {1: ["AU1", "AU2"], 2: []}


def test_what_is_stored_reads_back_as_the_same_units(teacher):
    session = stored(teacher)
    result = session.stored_result()
    assert result.seconds[4].units == units(0.01) and result.seconds[0].units is None
    assert [e.actions for e in result.events] == [["AU1", "AU2"], []]


def test_the_exports_carry_the_units_and_the_actions(client, teacher):
    session = stored(teacher)
    client.force_login(teacher)
    response = client.get(f"/sessions/{session.pk}/export.csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[4]["au1"] == "0.01" and rows[4]["au43"] == "0.25" and rows[0]["au1"] == ""
    document = client.get(f"/sessions/{session.pk}/export.json").json()
    assert document["seconds"][5]["au1"] == 0.02 and document["seconds"][5]["au6"] == 0.005
    assert document["tracks"][0]["units"]["au1"] == 0.01 and len(document["tracks"][0]["units_timeline"]) == 10
    assert document["events"][0]["actions"] == ["AU1", "AU2"]
    students = client.get(f"/sessions/{session.pk}/students.csv")
    first, second = csv.DictReader(io.StringIO(b"".join(students.streaming_content).decode()))
    assert first["au1"] == "0.01" and first["au43"] == "0.25" and second["au1"] == ""


def student_page(client, teacher, session, track: int) -> tuple[str, dict]:
    client.force_login(teacher)
    text = client.get(f"/sessions/{session.pk}/students/{track}/").content.decode()
    data = re.search(r'<script id="student-data" type="application/json">(.*?)</script>', text, re.S)
    return text, json.loads(data.group(1))


def test_the_student_page_charts_the_units_in_percent_and_lists_an_events_actions(client, teacher):
    session = stored(teacher)
    text, data = student_page(client, teacher, session, 1)
    assert 'id="student-units"' in text
    assert "own calm face" in text and "% of the distance between the eyes" in text
    assert list(data["units"]) == ["AU1", "AU2", "AU4", "AU5", "AU6", "AU7"]
    assert data["units"]["AU1"][:3] == [[2, 2.0], [3, 0.0], [4, 1.0]] and data["units"]["AU4"][0] == [2, -1.0]
    assert data["events"][0]["actions"] == ["AU1", "AU2"]
    assert "surprise — brows raised ," in " ".join(re.sub(r"<[^>]+>", " ", text).split())
    assert 'title="AU1+AU2: the eye-region actions that moved"' in text


def test_a_student_without_units_says_why_instead_of_an_empty_chart(client, teacher):
    text, data = student_page(client, teacher, stored(teacher), 2)
    assert 'id="student-units"' not in text and "No action unit was read for this student" in text
    assert all(points == [] for points in data["units"].values())
