"""Teacher notes pinned to a time ("quiz started here"): stored, edited and deleted by the session's
owner, listed among the moments and handed to the charts and the JSON export."""

from __future__ import annotations

import json

import pytest

from eyeclass.lectures.forms import parse_time
from eyeclass.lectures.models import Note
from tests.web.factories import make_result, make_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def lesson(teacher):
    session = make_session(teacher, title="Waves", duration=600.0)
    session.store_results(make_result(seconds=600, tracks=3, dip=(100, 159)))
    return session


def moments(client, session) -> str:
    return client.get(session.get_absolute_url()).content.decode().split('id="moments"')[1].split("</section>")[0]


@pytest.mark.parametrize(("text", "seconds"), [("12:10", 730), ("730", 730), ("1:02:05", 3725), (" 0:05 ", 5)])
def test_times_are_read_as_a_teacher_writes_them(text, seconds):
    assert parse_time(text) == seconds


@pytest.mark.parametrize("text", ["", "soon", "1:75", "-3", "1::2", "1:2:3:4"])
def test_a_time_that_is_not_one_is_refused_with_a_reason(text):
    with pytest.raises(ValueError, match="not a time"):
        parse_time(text)


def test_a_note_is_added_listed_in_time_order_and_given_to_the_charts(client, teacher, lesson):
    client.force_login(teacher)
    response = client.post(f"/sessions/{lesson.pk}/notes/", {"at": "2:30", "text": "quiz started here"})
    assert response.status_code == 302 and response.url.endswith("#moments")
    note = lesson.notes.get()
    assert (note.at, note.text) == (150.0, "quiz started here")
    listed = moments(client, lesson)
    assert listed.index("attention dip") < listed.index("quiz started here")  # the dip at 1:40 comes first
    page = client.get(lesson.get_absolute_url()).content.decode()
    charted = json.loads(page.split('id="notes-data" type="application/json">')[1].split("</script>")[0])
    assert charted == [{"id": note.pk, "at": 150.0, "text": "quiz started here"}]
    assert client.get(f"/sessions/{lesson.pk}/export.json").json()["notes"] == [
        {"at": 150.0, "text": "quiz started here"}
    ]


def test_a_note_is_edited_and_deleted(client, teacher, lesson):
    note = lesson.notes.create(at=10.0, text="warm-up")
    client.force_login(teacher)
    client.post(f"/sessions/{lesson.pk}/notes/{note.pk}/edit", {"at": "0:20", "text": "group work"})
    note.refresh_from_db()
    assert (note.at, note.text) == (20.0, "group work")
    client.post(f"/sessions/{lesson.pk}/notes/{note.pk}/delete")
    assert not Note.objects.filter(pk=note.pk).exists()


def test_a_note_past_the_end_or_without_words_is_refused_and_nothing_is_lost(client, teacher, lesson):
    note = lesson.notes.create(at=10.0, text="warm-up")
    client.force_login(teacher)
    client.post(f"/sessions/{lesson.pk}/notes/", {"at": "45:00", "text": "too late"})
    client.post(f"/sessions/{lesson.pk}/notes/", {"at": "1:00", "text": "   "})
    client.post(f"/sessions/{lesson.pk}/notes/{note.pk}/edit", {"at": "soon", "text": "changed"})
    note.refresh_from_db()
    assert list(lesson.notes.values_list("text", flat=True)) == ["warm-up"] and note.at == 10.0
    page = client.get(lesson.get_absolute_url()).content.decode()
    assert "The note was not saved: The session is only 10:00 long." in page
    assert "not a time" in page


def test_notes_are_bounded_per_session(client, teacher, lesson):
    Note.objects.bulk_create([Note(session=lesson, at=i, text=f"n{i}") for i in range(Note.MAX_PER_SESSION)])
    client.force_login(teacher)
    client.post(f"/sessions/{lesson.pk}/notes/", {"at": "1:00", "text": "one more"})
    assert lesson.notes.count() == Note.MAX_PER_SESSION


def test_notes_are_the_owner_s_only_and_change_only_by_post(client, teacher, other_teacher, lesson):
    note = lesson.notes.create(at=10.0, text="mine")
    client.force_login(other_teacher)
    for url in (f"/sessions/{lesson.pk}/notes/{note.pk}/edit", f"/sessions/{lesson.pk}/notes/{note.pk}/delete"):
        assert client.post(url, {"at": "0:01", "text": "theirs"}).status_code == 404
    assert client.post(f"/sessions/{lesson.pk}/notes/", {"at": "0:01", "text": "theirs"}).status_code == 404
    client.force_login(teacher)
    assert client.get(f"/sessions/{lesson.pk}/notes/").status_code == 405
    note.refresh_from_db()
    assert note.text == "mine" and lesson.notes.count() == 1
