"""`manage.py wipe_emotions`: a school that turned emotions off deletes the emotion numbers stored before.

The session is stored with emotions on; after the wipe no emotion value is left in its database rows,
its JSON export or its CSVs, with the switch off and even with it turned on again, while engagement stays.
"""

import csv
import io
import json

import numpy as np
import pytest
from django.core.management import call_command

from eyeclass.lectures.charts import SHARE_COLUMNS
from eyeclass.lectures.models import ExpressionEvent, SecondStat, Session, Student
from inference.emotionless import SUMMARY_KEYS
from inference.engagement import TRACK_SECOND
from inference.labels import LABELS, MIX_LABELS
from tests.web.emotionless import EMOTION_KEYS, assert_no_emotion
from tests.web.factories import done_session

pytestmark = pytest.mark.django_db
SECOND_COLUMNS = (*LABELS, *SHARE_COLUMNS)


def emotion_values(value, path: str = "") -> list[str]:
    """Where a parsed document holds a non-empty value under an emotion key (the class names, `labels`,
    and the options' switch are not values read from a face)."""
    found = []
    if isinstance(value, dict):
        for key, item in value.items():
            if (
                key in EMOTION_KEYS
                and key != "labels"
                and not path.endswith("options")
                and item not in (None, "", {}, [])
            ):
                if not (isinstance(item, dict) and all(v is None for v in item.values())):
                    found.append(f"{path}.{key}={item!r}")
            found += emotion_values(item, f"{path}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found += emotion_values(item, f"{path}[{i}]")
    return found


def stored_emotions(session) -> dict:
    """What the database rows of `session` still hold that came from an emotion."""
    session = Session.objects.get(pk=session.pk)
    return {
        "seconds": [c for c in SECOND_COLUMNS if session.seconds.filter(**{f"{c}__isnull": False}).exists()],
        "students": [
            row for row in session.tracks.values("dominant", "emotion_mix", "probabilities") if any(row.values())
        ],
        "events": list(session.events.exclude(label="").values_list("label", flat=True)),
        "summary": [key for key in SUMMARY_KEYS if key in session.summary],
        "charts": [word for word in ('"emotions"', '"labels"', '"label"') if word in session.charts],
    }


def wipe(*options) -> str:
    out = io.StringIO()
    call_command("wipe_emotions", *options, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def csv_text(client, url) -> str:
    return b"".join(client.get(url).streaming_content).decode()


def test_a_session_stored_with_emotions_on_keeps_no_emotion_value_after_the_wipe(client, teacher, settings):
    session = done_session(teacher, seconds=12, tracks=2)  # stored while emotions were on
    before = stored_emotions(session)
    assert all(before.values()), before  # every kind of emotion field held something
    settings.EYECLASS_EMOTIONS = False

    assert (
        wipe("--dry-run")
        == "12 second rows, 2 students, 1 events, 1 sessions, 0 students' per-second sums: hold emotion values.\n"
    )  # one event unlabelled
    assert stored_emotions(session) == before  # a dry run changes nothing
    assert wipe() == "12 second rows, 2 students, 1 events, 1 sessions, 0 students' per-second sums: emptied.\n"

    assert stored_emotions(session) == {"seconds": [], "students": [], "events": [], "summary": [], "charts": []}
    session.refresh_from_db()
    assert_no_emotion(json.loads(session.charts))
    assert session.seconds.get(second=3).engagement == pytest.approx(0.8)
    assert session.summary["engagement"] == pytest.approx(0.8) and session.events.count() == 2
    assert session.options.get("emotions") is not True
    client.force_login(teacher)
    for url in ("export.csv", "students.csv"):
        assert_no_emotion(csv_text(client, f"{session.get_absolute_url()}{url}"))
    assert_no_emotion(client.get(f"{session.get_absolute_url()}export.json").json())
    assert_no_emotion(client.get(f"/api/sessions/{session.pk}/").json())

    settings.EYECLASS_EMOTIONS = True  # turned on again: the columns come back, the old values do not
    assert emotion_values(client.get(f"{session.get_absolute_url()}export.json").json()) == []
    for url in ("export.csv", "students.csv"):
        rows = list(csv.DictReader(io.StringIO(csv_text(client, f"{session.get_absolute_url()}{url}"))))
        emotion_cells = [
            (column, value)
            for row in rows
            for column, value in row.items()
            if value and any(label in column for label in (*LABELS, "dominant", "mix", "uncertain"))
        ]
        assert rows and emotion_cells == [], url


def test_running_it_again_finds_nothing_and_other_sessions_lose_only_their_emotions(teacher, settings):
    first = done_session(teacher, seconds=5, tracks=1)
    settings.EYECLASS_EMOTIONS = False
    second = done_session(teacher, seconds=5, tracks=1)  # stored with emotions off: nothing to wipe
    sums = "students' per-second sums"
    assert wipe() == f"5 second rows, 1 students, 1 events, 1 sessions, 0 {sums}: emptied.\n"
    assert wipe() == f"0 second rows, 0 students, 0 events, 0 sessions, 0 {sums}: emptied.\n"
    assert wipe("--dry-run") == f"0 second rows, 0 students, 0 events, 0 sessions, 0 {sums}: hold emotion values.\n"
    for session in (first, second):
        assert not any(stored_emotions(session).values())
        assert SecondStat.objects.filter(session=session, engagement__isnull=False).count() == 5
    assert Student.objects.count() == 2 and ExpressionEvent.objects.count() == 4


def test_it_warns_when_the_switch_is_still_on(teacher):
    done_session(teacher, seconds=3)
    err = io.StringIO()
    call_command("wipe_emotions", stdout=io.StringIO(), stderr=err)
    assert "EYECLASS_EMOTIONS is on" in err.getvalue()


def test_the_per_second_sums_kept_to_recount_a_class_lose_their_emotion_parts_only(teacher, settings):
    session = done_session(teacher, seconds=12, tracks=2)
    student = session.tracks.get(track=1)
    row = np.arange(1, len(TRACK_SECOND) + 1, dtype=float)  # every part non-zero
    student.sums = [[s, *row.tolist()] for s in range(3)]
    student.save(update_fields=["sums"])
    settings.EYECLASS_EMOTIONS = False
    wipe()
    student.refresh_from_db()
    emotion = {"probs_n", *(f"top_{label}" for label in MIX_LABELS), *(f"p_{label}" for label in LABELS)}
    for stored in student.sums:
        parts = dict(zip(TRACK_SECOND, stored[1:]))
        assert all(parts[name] == 0 for name in emotion)
        assert all(parts[name] == row[i] for i, name in enumerate(TRACK_SECOND) if name not in emotion)
    assert "0 students' per-second sums" in wipe("--dry-run")
