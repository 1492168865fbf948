"""A session's class numbers made again from its stored rows after a track is left out or brought back.

Each Student row keeps its per-second sums (inference.engagement.TRACK_SECOND); the class numbers of
every second are those of the tracks not excluded (inference.regroup), and the summary and charts
follow from them. No frame is read again. A session stored before the sums were kept has none: its
seconds stay as they are, while its student counts and events still follow the exclusion.
"""

from __future__ import annotations

import dataclasses

from django.conf import settings
from django.db import models

from inference.emotionless import summary_without_emotions
from inference.glance import emotion_peak
from inference.labels import LABELS
from inference.records import AU_NAMES
from inference.regroup import regroup
from inference.summary import summarize

from .charts import SHARE_COLUMNS, script_safe_json
from .rows import SecondStat, Student

CLASS_COLUMNS = ("faces_present", "readable", "facing", "perclos", "blinks", "engagement", *LABELS, *SHARE_COLUMNS)
COLUMNS = (*CLASS_COLUMNS, *AU_NAMES)


def recount(session: models.Model) -> None:
    """Rewrite the session's per-second class columns, summary and charts from its stored rows."""
    students = list(session.tracks.all())
    left_out = {s.track for s in students if s.excluded}
    sums: dict[int, dict[str, list]] = {}
    for student in students:
        for second, *row in student.sums:
            sums.setdefault(second, {})[str(student.track)] = row
    rows = list(session.seconds.order_by("second"))
    if sums:
        for row in rows:
            counted = regroup(dataclasses.replace(row.to_aggregate(), track_sums=sums.get(row.second, {})), left_out)
            fresh = SecondStat.from_aggregate(session, counted)
            for name in COLUMNS:
                setattr(row, name, getattr(fresh, name))
        SecondStat.objects.bulk_update(rows, COLUMNS, batch_size=1000)
    readability = (session.summary or {}).get("readability")
    session.summary = session.class_summary(rows, students, list(session.events.all()), readability)
    session.charts = script_safe_json(session.series()) if rows else ""
    session.save(update_fields=["summary", "charts"])


def class_summary(seconds: list[SecondStat], tracks: list[Student], events: list, readability) -> dict:
    """The summary of the class from stored rows: the tracks left out (still images, or by the teacher)
    and their events are not in it; `seconds` are already counted without them."""
    counted = [t for t in tracks if not t.excluded]
    left_out = {t.track for t in tracks if t.excluded}
    data = {
        "seconds": [row.to_aggregate().to_dict() for row in seconds],
        "events": [e.to_event().to_dict() for e in events if e.track not in left_out],
        "tracks": [{"first_time": t.first_time, "last_time": t.last_time} for t in counted],
        "readability": readability,
    }
    summary = summarize(data)
    mixes = [s["emotion_mix"] for s in data["seconds"]]
    summary["peak"] = emotion_peak([s["second"] for s in data["seconds"]], mixes)  # the glance's brief emotion
    return summary if settings.EYECLASS_EMOTIONS else summary_without_emotions(summary)


def left_out_note(still: list[bool]) -> str:
    """ "1 face in a picture was ignored; 1 track you left out is not counted." from each left-out
    track's still flag; "" when none is left out."""
    pictures, by_hand = sum(still), len(still) - sum(still)
    parts = []
    if pictures:
        parts.append(
            f"{pictures} face{'s' if pictures > 1 else ''} in a picture {'were' if pictures > 1 else 'was'} ignored"
        )
    if by_hand:
        parts.append(
            f"{by_hand} track{'s' if by_hand > 1 else ''} you left out {'are' if by_hand > 1 else 'is'} not counted"
        )
    return "; ".join(parts).capitalize() + "." if parts else ""
