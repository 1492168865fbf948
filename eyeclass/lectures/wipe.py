"""Deleting the emotion numbers stored while emotions were on, for a school that has turned them off.

Every emotion-derived value is emptied in place, as a session analysed with EYECLASS_EMOTIONS=off would
have it (inference/emotionless.py lists the fields): per-second mean probabilities and mix shares,
each student's mix, mean probabilities and dominant emotion, events' labels, the summary's emotion keys,
and the stored charts (made again from the emptied rows). Engagement, eye signals, events' timing and
cues stay. Each table is emptied by one UPDATE; only the sessions are walked, one at a time, so memory
stays flat. Running it again finds nothing, so it reports zeros. The trade-off: nothing can bring the
numbers back except analysing a kept video again with emotions on.
"""

from __future__ import annotations

from functools import reduce
from operator import or_

from django.db import transaction
from django.db.models import Q

from inference.emotionless import SUMMARY_KEYS
from inference.labels import LABELS
from inference.regroup import without_emotion_sums

from .charts import SHARE_COLUMNS, script_safe_json
from .models import ExpressionEvent, SecondStat, Session, Student

SECOND_COLUMNS = (*LABELS, *SHARE_COLUMNS)  # SecondStat's mean probabilities and emotion mix


def _any(conditions: list[Q]) -> Q:
    return reduce(or_, conditions)


def _sessions_to_wipe():
    """Charts stored with emotions on always hold the "emotions" series (and so their events' labels)."""
    return Session.objects.filter(
        _any([Q(summary__has_any_keys=list(SUMMARY_KEYS)), Q(charts__contains='"emotions"'), Q(options__emotions=True)])
    )


def wipe_emotions(dry_run: bool = False) -> dict[str, int]:
    """Empty every stored emotion value; how many rows of each kind held one (and were emptied, unless
    `dry_run`). A session's `options.emotions` becomes false: its numbers now are those of emotions off."""
    seconds = SecondStat.objects.filter(_any([Q(**{f"{c}__isnull": False}) for c in SECOND_COLUMNS]))
    students = Student.objects.exclude(dominant="", emotion_mix={}, probabilities={})
    events = ExpressionEvent.objects.exclude(label="")
    sessions = _sessions_to_wipe()
    if dry_run:
        return {
            "second rows": seconds.count(),
            "students": students.count(),
            "events": events.count(),
            "sessions": sessions.count(),
            "students' per-second sums": sum(1 for _ in _sums_with_emotions()),
        }
    with transaction.atomic():
        counts = {
            "second rows": seconds.update(**dict.fromkeys(SECOND_COLUMNS)),
            "students": students.update(dominant="", emotion_mix={}, probabilities={}),
            "events": events.update(label=""),
            "sessions": 0,
            "students' per-second sums": _wipe_sums(),
        }
        for session in sessions.only("id", "summary", "charts", "options").iterator(chunk_size=100):
            session.summary = {k: v for k, v in (session.summary or {}).items() if k not in SUMMARY_KEYS}
            if (session.options or {}).get("emotions"):
                session.options = {**session.options, "emotions": False}
            session.charts = script_safe_json(session.series(emotions=False)) if session.charts else ""
            session.save(update_fields=["summary", "options", "charts"])
            counts["sessions"] += 1
    return counts


def _sums_with_emotions():
    """Students whose per-second sums (kept to recount the class without a track) hold emotion parts."""
    for student in Student.objects.exclude(sums=[]).only("id", "sums").iterator(chunk_size=200):
        wiped = [[row[0], *without_emotion_sums(row[1:])] for row in student.sums]
        if wiped != student.sums:
            yield student, wiped


def _wipe_sums() -> int:
    count = 0
    for student, wiped in _sums_with_emotions():
        student.sums = wiped
        student.save(update_fields=["sums"])
        count += 1
    return count
