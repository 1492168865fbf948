"""Only people are students: a track flagged "still image" is in no class number, and a teacher can
leave any track out or count it again; every number is then made again from the stored rows."""

from __future__ import annotations

import csv
import dataclasses
import io
import json

import pytest

from inference.engagement import EngagementAggregator
from inference.records import AnalysisResult, Event
from tests.inference.test_engagement import frames_for_second, rec
from tests.web.factories import make_session

pytestmark = pytest.mark.django_db
SECONDS = 30


def faces(t, i):
    """Two students (one looks away a fifth of the time, and blinks) and a poster facing sideways."""
    return [
        rec(1, t, happy=0.9),
        rec(2, t, yaw=50.0 if i < 2 else 0.0, blink=i == 5, happy=0.1),
        rec(3, t, yaw=45.0, happy=0.2),
    ]


def class_result(still: set[int] = frozenset({3}), make=faces) -> AnalysisResult:
    """What the pipeline gives for `make`'s faces: the class numbers of every track, the poster flagged."""
    agg = EngagementAggregator()
    seconds = []
    for second in range(SECONDS):
        for frame in frames_for_second(second, 10, make):
            seconds += agg.add(frame)
    seconds += agg.finish()
    tracks = [dataclasses.replace(t, still=t.track in still) for t in agg.track_summaries(0.1)]
    events = [
        Event(3, 12.0, 12.2, 12.4, 0.4, None, None, None, "micro", "happy", 5.0),
        Event(1, 20.0, 20.5, 21.5, 1.5, None, None, None, "macro", "surprise", 4.0),
    ]
    events = [e for e in events if e.track in {t.track for t in tracks}]
    return AnalysisResult(
        video={"duration": SECONDS}, options={}, tracks=tracks, frames=[], events=events, seconds=seconds
    )


def students_only(t, i):
    return faces(t, i)[:2]


@pytest.fixture
def poster_session(teacher):
    session = make_session(teacher, title="Computer lab")
    session.store_results(class_result())
    return session


def test_a_still_track_is_stored_flagged_and_left_out_of_every_class_number(poster_session):
    session = poster_session
    poster = session.tracks.get(track=3)
    assert poster.still and poster.excluded and not session.tracks.get(track=1).excluded
    students = make_session(session.classroom.teacher, title="Students only", classroom=session.classroom)
    students.store_results(class_result(still=set(), make=students_only))
    for name in ("engagement", "faces", "readable", "students", "tracks", "emotions", "micro_events", "macro_events"):
        assert session.summary[name] == pytest.approx(students.summary[name], abs=2e-4), name
    assert session.summary["students"] == 2 and session.summary["micro_events"] == 0  # the poster's event
    first = session.seconds.get(second=0)
    assert first.faces_present == pytest.approx(2.0) and first.engagement == pytest.approx(0.9)
    charts = json.loads(session.charts)
    assert [t["track"] for t in charts["tracks"]] == [1, 2] and {e["track"] for e in charts["events"]} == {1}


def test_the_session_page_says_a_face_in_a_picture_was_ignored(client, teacher, poster_session):
    client.force_login(teacher)
    page = client.get(poster_session.get_absolute_url()).content.decode()
    tracks = page.split('id="tracks"')[1].split("</section>")[0]
    assert "1 face in a picture was ignored." in tracks and "Track 3" in tracks
    assert "Count as a student" in tracks and tracks.count("Leave out</button>") == 2
    student = client.get(f"{poster_session.get_absolute_url()}students/3/").content.decode()
    assert "behaved like a face in a picture" in student and "Count as a student" in student


def test_exports_and_the_api_leave_the_poster_out(client, teacher, poster_session):
    client.force_login(teacher)
    url = poster_session.get_absolute_url()
    rows = list(csv.DictReader(io.StringIO(b"".join(client.get(f"{url}students.csv").streaming_content).decode())))
    assert [r["student"] for r in rows] == ["1", "2"]
    for doc in (client.get(f"{url}export.json").json(), client.get(f"/api/sessions/{poster_session.pk}/").json()):
        assert [t["track"] for t in doc["tracks"]] == [1, 2] and [e["track"] for e in doc["events"]] == [1]
        assert [(t["track"], t["still"]) for t in doc["left_out"]] == [(3, True)]
        assert doc["session"]["summary"]["students"] == 2
        assert doc["seconds"][0]["faces_present"] == pytest.approx(2.0)
    seconds = list(csv.DictReader(io.StringIO(b"".join(client.get(f"{url}export.csv").streaming_content).decode())))
    assert float(seconds[0]["faces_present"]) == pytest.approx(2.0)


def test_counting_the_poster_again_and_leaving_a_student_out_recount_from_stored_rows(client, teacher, poster_session):
    client.force_login(teacher)
    url = poster_session.get_absolute_url()
    everyone = make_session(teacher, title="Everyone", classroom=poster_session.classroom)
    everyone.store_results(class_result(still=set()))
    response = client.post(f"{url}students/3/counted", {"counted": "1"})
    assert response.status_code == 302 and response.url == url
    poster_session.refresh_from_db()
    assert not poster_session.tracks.get(track=3).excluded
    assert poster_session.summary["students"] == 3 and poster_session.summary["micro_events"] == 1
    assert poster_session.summary["engagement"] == pytest.approx(everyone.summary["engagement"], abs=2e-4)
    assert poster_session.seconds.get(second=4).faces_present == pytest.approx(3.0)
    assert "Every face found counts" in client.get(url).content.decode()

    response = client.post(f"{url}students/2/counted", {"counted": "0", "next": "student"})
    assert response.url == f"{url}students/2/"
    poster_session.refresh_from_db()
    assert poster_session.summary["students"] == 2
    assert poster_session.seconds.get(second=0).engagement == pytest.approx(0.5)  # 1 and the sideways poster
    page = client.get(url).content.decode()
    assert (
        "1 track you left out is not counted." in page
        and "You left this track out" in client.get(response.url).content.decode()
    )


def test_recounting_with_nothing_changed_gives_the_stored_numbers(poster_session):
    from eyeclass.lectures.recount import recount

    before = list(poster_session.seconds.order_by("second").values())
    summary = dict(poster_session.summary)
    recount(poster_session)
    after = list(poster_session.seconds.order_by("second").values())
    for old, new in zip(before, after):
        assert all(old[k] == new[k] or old[k] == pytest.approx(new[k], abs=2e-4) for k in old)
    assert poster_session.summary == summary


def test_only_the_owner_can_leave_a_track_out_and_only_by_post(client, teacher, other_teacher, poster_session):
    url = f"{poster_session.get_absolute_url()}students/1/counted"
    client.force_login(other_teacher)
    assert client.post(url, {"counted": "0"}).status_code == 404
    client.force_login(teacher)
    assert client.get(url).status_code == 405
    client.post(url, {"counted": "maybe"})
    assert not poster_session.tracks.get(track=1).excluded


def test_with_emotions_off_the_stored_per_track_sums_hold_no_emotion(teacher, settings):
    from inference.engagement import TRACK_SECOND

    settings.EYECLASS_EMOTIONS = False
    session = make_session(teacher, title="No emotions")
    session.store_results(class_result())
    emotional = [i for i, name in enumerate(TRACK_SECOND) if name == "probs_n" or name.startswith(("top_", "p_"))]
    rows = [row[1:] for student in session.tracks.all() for row in student.sums]
    assert rows and all(row[i] == 0 for row in rows for i in emotional)
    assert any(row[TRACK_SECOND.index("attentive")] for row in rows)  # the rest is kept
    session.set_counted(session.tracks.get(track=3), True)
    assert session.summary["students"] == 3 and "emotions" not in session.summary
