"""The lesson at a glance on the session page: one sentence from the stored numbers, and the dips and
events in time order, each a link that seeks the replay; nothing withheld, no emotion with emotions off."""

from __future__ import annotations

import re

import pytest

from inference.summary import ENOUGH_READABLE_SECONDS
from tests.web.emotionless import assert_no_emotion
from tests.web.factories import make_result, make_session

pytestmark = pytest.mark.django_db


def section(page: str, name: str) -> str:
    return page.split(f'id="{name}"')[1].split("</section>")[0]


@pytest.fixture
def lesson(teacher):
    session = make_session(teacher, title="Waves", keep_video=True, video_file="uploads/waves.webm")
    session.store_results(make_result(seconds=600, tracks=3, dip=(100, 159)))
    return session


def test_the_sentence_tells_the_lesson_from_its_stored_numbers(client, teacher, lesson):
    client.force_login(teacher)
    glance = section(client.get(lesson.get_absolute_url()).content.decode(), "glance")
    dip = lesson.summary["dips"][0]
    assert f"Attention held at {lesson.summary['engagement']:.1f} for most of the 10 minutes" in glance
    assert f"dipped once — at {dip['start'] // 60}:{dip['start'] % 60:02d} for 1 min; 3 students; mostly" in glance


def test_the_moments_list_dips_and_events_in_time_order_and_seek_the_replay(client, teacher, lesson):
    client.force_login(teacher)
    moments = section(client.get(lesson.get_absolute_url()).content.decode(), "moments")
    seeks = [float(s) for s in re.findall(r'data-seek="([\d.]+)"', moments)]
    assert seeks == sorted(seeks) and len(seeks) == 1 + lesson.events.count()
    assert "attention dip" in moments and "student 1: surprise (brief, 0.4 s)" in moments
    assert "student 2: change (longer, 1.5 s)" in moments


def test_a_left_out_track_s_events_are_not_among_the_moments(client, teacher, lesson):
    lesson.set_counted(lesson.tracks.get(track=1), False)
    client.force_login(teacher)
    moments = section(client.get(lesson.get_absolute_url()).content.decode(), "moments")
    assert "student 1:" not in moments and "student 2:" in moments
    assert "2 students" in section(client.get(lesson.get_absolute_url()).content.decode(), "glance")


def test_a_withheld_session_says_nothing_read_from_the_eyes(client, teacher):
    session = make_session(teacher, title="Short")
    result = make_result(seconds=ENOUGH_READABLE_SECONDS - 2, dip=(0, 3))
    for row in result.seconds:
        row.engagement = 0.37
    session.store_results(result)
    client.force_login(teacher)
    page = client.get(session.get_absolute_url()).content.decode()
    assert "Not enough could be read to say how the lesson went; 3 students." in section(page, "glance")
    assert "data-seek" not in section(page, "moments") and "0.37" not in page


def test_with_emotions_off_the_sentence_and_moments_name_no_emotion(client, teacher, settings):
    settings.EYECLASS_EMOTIONS = False
    session = make_session(teacher, title="Quiet")
    session.store_results(make_result(seconds=120, tracks=2))
    client.force_login(teacher)
    page = client.get(session.get_absolute_url()).content.decode()
    glance, moments = section(page, "glance"), section(page, "moments")
    assert glance.strip().endswith("2 students.</p>")
    assert_no_emotion(glance + moments)


def test_a_brief_emotion_found_when_the_rows_are_stored_is_named_with_its_time(client, teacher):
    session = make_session(teacher, title="Surprise quiz")
    result = make_result(seconds=600, tracks=3)
    for row in result.seconds:
        surprised = 300 <= row.second < 306
        row.emotion_mix = {"neutral": 0.3, "surprise": 0.7} if surprised else {"neutral": 0.9, "uncertain": 0.1}
    session.store_results(result)
    assert session.summary["peak"][0] == "surprise" and 300 <= session.summary["peak"][1] < 306
    client.force_login(teacher)
    glance = section(client.get(session.get_absolute_url()).content.decode(), "glance")
    assert re.search(r"3 students; mostly neutral, brief surprise around 5:0[0-5]\.", glance)


def test_an_events_moved_eye_actions_are_named_in_words_among_the_moments(client, teacher, lesson):
    lesson.events.update(actions=["AU1", "AU2", "AU5"])
    client.force_login(teacher)
    moments = section(client.get(lesson.get_absolute_url()).content.decode(), "moments")
    assert "student 1: surprise, brows raised, lids widened (brief, 0.4 s)" in moments
