"""EYECLASS_EMOTIONS=off, in-process: what is stored, exported, served and shown (the real worker and
live socket are in test_emotions_off_worker.py)."""

import csv
import io

import pytest

from eyeclass.lectures.models import ExpressionEvent, SecondStat, Student
from eyeclass.live.state import LiveState
from eyeclass.live.tasks import face_payload, persist_new
from inference.labels import LABELS
from inference.records import Box, FaceRecord
from tests.web.emotionless import assert_no_emotion
from tests.web.factories import done_session, make_result, make_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def emotions_off(settings):
    settings.EYECLASS_EMOTIONS = False


def test_stored_rows_hold_no_emotion_while_engagement_is_kept(teacher, emotions_off):
    session = done_session(teacher, seconds=20, tracks=2)
    assert SecondStat.objects.filter(session=session).count() == 20
    for label in LABELS:
        assert not SecondStat.objects.filter(session=session, **{f"{label}__isnull": False}).exists()
    assert set(Student.objects.filter(session=session).values_list("dominant", flat=True)) == {""}
    assert all(mix == {} for mix in Student.objects.filter(session=session).values_list("emotion_mix", flat=True))
    assert set(ExpressionEvent.objects.filter(session=session).values_list("label", flat=True)) == {""}
    assert "emotions" not in session.summary and "dominant" not in session.summary
    assert session.summary["engagement"] == pytest.approx(0.8) and session.seconds.get(second=3).engagement == 0.8
    assert session.events.count() == 2 and session.summary["micro_events"] == 1  # timing and kind stay
    assert_no_emotion(session.page_charts)


def test_exports_and_api_name_no_emotion_even_for_a_session_stored_with_emotions_on(client, teacher, settings):
    session = done_session(teacher, seconds=12, tracks=2)  # stored while emotions were on
    settings.EYECLASS_EMOTIONS = False
    client.force_login(teacher)
    document = client.get(f"/api/sessions/{session.pk}/").json()
    assert_no_emotion(document)
    assert document["seconds"][3]["engagement"] == pytest.approx(0.8) and len(document["events"]) == 2
    assert_no_emotion(client.get(f"/sessions/{session.pk}/export.json").json())
    assert_no_emotion(client.get(f"/api/classes/{session.classroom_id}/").json())
    seconds = b"".join(client.get(f"/sessions/{session.pk}/export.csv").streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(seconds)))
    assert len(rows) == 12 and float(rows[3]["engagement"]) == pytest.approx(0.8)
    assert_no_emotion(seconds)
    students = b"".join(client.get(f"/sessions/{session.pk}/students.csv").streaming_content).decode()
    assert "engagement" in students.splitlines()[0]
    assert_no_emotion(students)


def test_pages_show_no_emotion_and_say_they_are_off(client, teacher, settings):
    session = done_session(teacher, seconds=30, tracks=2)
    settings.EYECLASS_EMOTIONS = False
    client.force_login(teacher)
    page = client.get(session.get_absolute_url()).content.decode()
    assert 'id="engagement-chart"' in page and 'id="emotion-chart"' not in page and "Dominant emotions" not in page
    assert "Emotions are off in this deployment" in page or "emotions are off in this deployment" in page
    assert_no_emotion(page.split('id="series-data"')[1].split("</script>")[0])
    student = client.get(f"/sessions/{session.pk}/students/1/").content.decode()
    assert 'id="student-mix"' not in student and "Emotions are off in this deployment" in student
    assert "<strong>0:10</strong>: change, 0.40 s (brief)" in student  # the event, without its label "surprise"
    assert_no_emotion(student.split('id="student-data"')[1].split("</script>")[0])
    classroom = client.get(f"/classes/{session.classroom_id}/").content.decode()
    assert 'id="mix-chart"' not in classroom and "Emotions are off in this deployment" in classroom
    help_page = client.get("/help/").content.decode()
    assert "Emotions: off." in help_page and "How accurate the eye model is" not in help_page


def test_with_emotions_on_the_pages_keep_their_emotion_charts(client, teacher):
    session = done_session(teacher, seconds=30, tracks=2)
    client.force_login(teacher)
    assert 'id="emotion-chart"' in client.get(session.get_absolute_url()).content.decode()
    assert "Emotions: on." in client.get("/help/").content.decode()


def test_the_live_page_has_no_emotion_chart(client, teacher, emotions_off):
    session = make_session(teacher, source="live", status="live")
    client.force_login(teacher)
    page = client.get(f"/live/{session.pk}/").content.decode()
    assert 'id="live-emotions"' not in page and "Emotions are off in this deployment" in page
    assert '<script id="labels-data" type="application/json">[]</script>' in page


def test_healthz_shows_the_switch_and_needs_no_model_when_it_is_off(client, emotions_off, settings, tmp_path):
    settings.EYECLASS_MODEL_PATH = tmp_path / "missing.keras"
    body = client.get("/healthz").json()
    assert body["deployment"] == {"emotions": "off", "retention_days": None, "keep_video_days": None}
    assert body["checks"]["model"]["ok"] is True


def test_live_messages_carry_no_emotion(teacher, emotions_off):
    face = FaceRecord(frame=0, time=0.0, track=1, box=Box(1, 2, 3, 4), score=0.9, inter_ocular=30.0)
    face.probs, face.top = dict.fromkeys(LABELS, 1 / 7), "happy"
    assert_no_emotion(face_payload(face))
    result = make_result(seconds=3, tracks=1)

    class Analyzer:  # what persist_new reads of a SessionAnalyzer
        seconds, events = result.seconds, result.events

    session = make_session(teacher, source="live", status="live")
    seconds, events = persist_new(session, LiveState(analyzer=Analyzer()))
    assert len(seconds) == 3 and len(events) == 2 and seconds[1]["engagement"] == 0.8
    assert_no_emotion({"seconds": seconds, "events": events})
    assert not SecondStat.objects.filter(session=session, happy__isnull=False).exists()
    assert set(session.events.values_list("label", flat=True)) == {""}
