"""What a teacher reads and does on the pages: definitions, how sure a session is, replay, students, classes."""

import csv
import io
import json

import pytest
from asgiref.sync import async_to_sync
from django.template.defaultfilters import floatformat

from eyeclass.classrooms.models import Classroom
from eyeclass.lectures.glossary import TERMS
from eyeclass.lectures.models import Session
from inference.summary import ENOUGH_READABLE_SECONDS
from tests.web.factories import done_session, make_result, make_session, readability_saying

pytestmark = pytest.mark.django_db


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def body(response) -> bytes:
    content = response.streaming_content
    if hasattr(content, "__aiter__"):  # as served under ASGI

        async def collect():
            return b"".join([piece async for piece in content])

        return async_to_sync(collect)()
    return b"".join(content)


def test_the_help_page_defines_every_term_and_shows_the_models_accuracy_per_emotion(client):
    text = page(client, "/help/")
    for title, definition in TERMS.values():
        assert title in text and definition.split(".")[0].replace("'", "&#x27;") in text
    for label in ("happy", "surprise", "disgust"):
        assert f"<td>{label}</td>" in text
    assert "Not a diagnosis" in text and "Not stored" in text


def test_the_help_page_says_how_the_emotions_read_on_labelled_real_recordings(client, settings, tmp_path):
    evaluation = {"PrivateTest_no_flip": {"faces": 10, "accuracy": 0.6, "per_class": {}}}
    emotions = dict(calm_frames=200, calm_neutral_share=0.94, calm_emotion_share=0.01, episode_frames=100)
    emotions.update(episode_right_share=0.333, episode_other_share=0.25, events=3, events_right=2)
    card = tmp_path / "eye_cnn.json"
    card.write_text(json.dumps({"evaluation": evaluation, "real_clips": {"clips": 7, "emotions": emotions}}))
    settings.EYECLASS_MODEL_PATH = str(card.with_suffix(".keras"))
    text = " ".join(page(client, "/help/").split())
    assert "On 7 short real recordings" in text and "<em>neutral</em> 94% of the time and as an emotion 1%" in text
    assert "that emotion 33% of the time, as another one 25%" in text and "right emotion for 2 of 3" in text
    card.write_text(json.dumps({"evaluation": evaluation}))
    assert "short real recordings" not in page(client, "/help/")  # never measured: nothing claimed


def test_every_card_and_chart_of_a_session_has_its_definition_and_a_help_link(client, teacher):
    session = done_session(teacher, seconds=60)
    client.force_login(teacher)
    text = page(client, session.get_absolute_url())
    for key in ("engagement", "emotions", "students", "events", "dips", "heatmap", "confidence", "readable"):
        assert f'data-tip="{TERMS[key][1]}"'.replace("'", "&#x27;").replace("“", "“") in text, key
    assert 'href="/help/"' in text


def test_a_session_with_too_little_readable_says_not_enough_data_instead_of_numbers(client, teacher):
    session = done_session(teacher, seconds=ENOUGH_READABLE_SECONDS - 1)
    client.force_login(teacher)
    text = page(client, session.get_absolute_url())
    assert text.count('<span class="nodata" title="not enough readable faces">not enough data</span>') == 3
    assert "0.80" not in text.split('id="card-engagement"')[1][:200]
    assert f"{ENOUGH_READABLE_SECONDS - 1} of {ENOUGH_READABLE_SECONDS - 1} s" in text


def test_readable_seconds_count_only_seconds_with_readable_faces(teacher):
    result = make_result(seconds=30, tracks=1)
    for row in result.seconds[:20]:
        row.readable = row.oriented = 0.2  # a face present, mostly unread
    session = make_session(teacher)
    session.store_results(result)
    confidence = session.confidence
    assert (confidence["seconds"], confidence["readable_seconds"], confidence["enough"]) == (30, 10, True)


def test_the_session_page_says_why_when_most_faces_present_were_not_read(client, teacher):
    why = "8.0 faces present per analysed frame, eyes readable for 2.0: 75% of faces are too small"
    pages = []
    for readable in (2.0, 6.0):
        result = make_result(seconds=30, tracks=8)
        for row in result.seconds:
            row.readable = readable  # every second readable, but only some of its faces
        result.readability = readability_saying(why)
        session = make_session(teacher, title=f"{readable} readable")
        session.store_results(result)
        client.force_login(teacher)
        pages.append(page(client, session.get_absolute_url()))
    assert "30 of 30 s" in pages[0] and why in pages[0]
    assert "30 of 30 s" in pages[1] and why not in pages[1]


def test_the_session_page_says_when_where_and_how_long(client, teacher):
    session = done_session(teacher, seconds=90)
    Session.objects.filter(pk=session.pk).update(video_name="week1.mp4", duration=92.4)
    client.force_login(teacher)
    text = page(client, session.get_absolute_url())
    assert "Uploaded " in text and "week1.mp4" in text and "1:32 long" in text


@pytest.fixture
def kept(teacher, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    session = done_session(teacher, seconds=20)
    session.keep_video, session.video_file = True, "uploads/kept.mp4"
    session.save()
    session.video_path.parent.mkdir(parents=True)
    session.video_path.write_bytes(bytes(range(256)) * 4000)  # 1,024,000 bytes
    return session


def test_a_kept_recording_plays_to_its_owner_with_range_requests(client, teacher, kept):
    client.force_login(teacher)
    url = f"/sessions/{kept.pk}/video"
    whole = client.get(url)
    assert whole.status_code == 200 and whole["Accept-Ranges"] == "bytes" and whole["Content-Type"] == "video/mp4"
    assert body(whole) == kept.video_path.read_bytes()
    part = client.get(url, HTTP_RANGE="bytes=1000-1009")
    assert part.status_code == 206 and part["Content-Range"] == "bytes 1000-1009/1024000"
    assert body(part) == kept.video_path.read_bytes()[1000:1010] and part["Content-Length"] == "10"
    tail = client.get(url, HTTP_RANGE="bytes=-5")
    assert tail.status_code == 206 and body(tail) == kept.video_path.read_bytes()[-5:]
    beyond = client.get(url, HTTP_RANGE="bytes=2000000-")
    assert beyond.status_code == 416 and beyond["Content-Range"] == "bytes */1024000"
    several = client.get(url, HTTP_RANGE="bytes=0-1,5-6")
    assert several.status_code == 200 and len(body(several)) == 1024000


def test_the_session_page_shows_the_player_only_for_a_kept_recording(client, teacher, kept):
    client.force_login(teacher)
    assert f'src="/sessions/{kept.pk}/video"' in page(client, kept.get_absolute_url())
    Session.objects.filter(pk=kept.pk).update(keep_video=False)
    assert "<video" not in page(client, kept.get_absolute_url())
    assert client.get(f"/sessions/{kept.pk}/video").status_code == 404  # not kept: not served either


def test_a_student_page_shows_that_tracks_numbers_and_events(client, teacher):
    session = done_session(teacher, seconds=60, tracks=3)
    client.force_login(teacher)
    text = page(client, f"/sessions/{session.pk}/students/1/")
    assert "Student 1" in text and "0.75" in text and "surprise" in text  # engagement; its micro event
    assert "15.0 a minute" in text and 'id="student-engagement"' in text
    assert client.get(f"/sessions/{session.pk}/students/99/").status_code == 404


def test_a_student_page_says_how_often_a_student_taking_turns_was_read(client, teacher):
    session = done_session(teacher, seconds=60, tracks=2)
    session.tracks.filter(track=1).update(first_time=0.0, last_time=30.0, readable_frames=61)
    session.tracks.filter(track=2).update(readable_frames=1)
    client.force_login(teacher)
    turns, once = (page(client, f"/sessions/{session.pk}/students/{t}/") for t in (1, 2))
    assert "read every 0.5 s" in turns and "read every" not in once


def test_a_student_whose_lids_were_never_read_shows_no_blink_count(client, teacher):
    session = done_session(teacher, seconds=60, tracks=2)
    session.tracks.filter(track=2).update(blinks=0, blink_rate=None, perclos=None)  # head bowed throughout
    client.force_login(teacher)
    shown = [page(client, f"/sessions/{session.pk}/students/{t}/") for t in (1, 2)]
    blinks = [text.split("Blinks", 1)[1].split("</strong>", 1)[0] for text in shown]
    assert blinks[0].endswith(">15") and blinks[1].endswith(">—")


def test_a_student_never_read_facing_the_front_gets_a_reason_instead_of_an_empty_emotion_chart(client, teacher):
    session = done_session(teacher, seconds=30, tracks=2)
    session.tracks.filter(track=2).update(emotion_mix={})
    client.force_login(teacher)
    read, unread = (page(client, f"/sessions/{session.pk}/students/{t}/") for t in (1, 2))
    assert 'id="student-mix"' in read and "No emotion was read" not in read
    assert 'id="student-mix"' not in unread and "No emotion was read for this student" in unread


def test_the_students_csv_has_a_row_per_track_and_a_clean_file_name(client, teacher):
    session = done_session(teacher, seconds=30, tracks=3)
    Session.objects.filter(pk=session.pk).update(title="webcam_selfie.mp4", video_name="webcam_selfie.mp4")
    client.force_login(teacher)
    response = client.get(f"/sessions/{session.pk}/students.csv")
    rows = list(csv.DictReader(io.StringIO(body(response).decode())))
    assert [row["student"] for row in rows] == ["1", "2", "3"] and rows[0]["engagement"] == "0.75"
    assert response["Content-Disposition"] == 'attachment; filename="webcam_selfie-students.csv"'
    export = client.get(f"/sessions/{session.pk}/export.csv")
    assert export["Content-Disposition"] == 'attachment; filename="webcam_selfie.csv"'


def test_a_teacher_renames_and_deletes_sessions_and_classes(client, teacher, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    session = done_session(teacher, seconds=5)
    session.video_file = "uploads/v.mp4"
    session.save()
    session.video_path.parent.mkdir(parents=True)
    session.video_path.write_bytes(b"v")
    client.force_login(teacher)
    client.post(f"/sessions/{session.pk}/rename/", {"title": "  Week 2: optics  "})
    assert Session.objects.get(pk=session.pk).title == "Week 2: optics"
    client.post(f"/sessions/{session.pk}/rename/", {"title": "   "})
    assert Session.objects.get(pk=session.pk).title == "Week 2: optics"  # a title is required
    classroom = session.classroom
    Classroom.objects.create(teacher=teacher, name="Chemistry")
    response = client.post(f"/classes/{classroom.pk}/rename/", {"name": "chemistry"}, follow=True)
    assert "already have a class with this name" in response.content.decode()
    client.post(f"/classes/{classroom.pk}/rename/", {"name": "Physics B"})
    assert Classroom.objects.get(pk=classroom.pk).name == "Physics B"
    assert client.post(f"/classes/{classroom.pk}/delete/").status_code == 302
    assert not Classroom.objects.filter(pk=classroom.pk).exists() and not Session.objects.filter(pk=session.pk).exists()
    assert not session.video_path.exists()


def test_two_sessions_of_a_class_are_compared_side_by_side(client, teacher):
    first = done_session(teacher, seconds=30)
    second = make_session(teacher, title="Week 2", classroom=first.classroom)
    second.store_results(make_result(seconds=40, dip=(10, 30)))
    client.force_login(teacher)
    text = page(client, f"/classes/{first.classroom_id}/compare/?a={first.pk}&b={second.pk}")
    assert text.count('class="table compact"') == 2 and "30 of 30" in text and "40 of 40" in text
    second.refresh_from_db()
    shown = floatformat(second.summary["engagement"], 2)
    assert "<td>0.80</td>" in text and f"<td>{shown}</td>" in text and second.summary["engagement"] < 0.6
    assert "Compare" in page(client, f"/classes/{first.classroom_id}/compare/")  # pickers alone


def test_a_missing_page_is_a_friendly_404_not_a_debug_page(client, teacher, settings):
    settings.DEBUG = False
    client.force_login(teacher)
    response = client.get("/sessions/999999/")
    assert response.status_code == 404 and "Nothing here" in response.content.decode()
    assert "Traceback" not in response.content.decode() and "URLconf" not in response.content.decode()


def test_the_only_class_is_preselected_for_uploads_and_live(client, teacher):
    classroom = Classroom.objects.create(teacher=teacher, name="Only one")
    client.force_login(teacher)
    for url in ("/sessions/upload/", "/live/"):
        assert f'<option value="{classroom.pk}" selected>' in page(client, url), url
    another = Classroom.objects.create(teacher=teacher, name="Another")
    text = page(client, "/sessions/upload/")
    assert f'value="{classroom.pk}" selected' not in text and f'value="{another.pk}" selected' not in text


def test_the_class_page_draws_engagement_and_the_emotion_mix_as_two_charts(client, teacher):
    session = done_session(teacher, seconds=10)
    client.force_login(teacher)
    text = page(client, f"/classes/{session.classroom_id}/")
    assert 'id="trend-chart"' in text and 'id="mix-chart"' in text and "Compare two sessions" in text
