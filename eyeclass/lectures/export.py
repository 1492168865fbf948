"""Session exports (CSV, JSON) and the API's session document: one source for all three."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings

from inference.emotionless import summary_without_emotions
from inference.labels import LABELS
from inference.records import AU_NAMES

from .models import EVENT_FIELDS, Session

SECOND_COLUMNS = [
    "second",
    "faces_present",
    "readable",
    "facing",
    "perclos",
    "blinks",
    "engagement",
    *LABELS,
    *AU_NAMES,
]
TRACK_FIELDS = [
    "track",
    "first_time",
    "last_time",
    "frames",
    "readable_frames",
    "blinks",
    "blink_rate",
    "perclos",
    "facing",
    "engagement",
    "dominant",
    "emotion_mix",
    "timeline",
    "units",
    "units_timeline",
]


EMOTION_COLUMNS = {*LABELS, "dominant", "emotion_mix", "label"}


def shown(columns) -> list[str]:
    """The columns this deployment exports: with emotions off, none that holds an emotion."""
    return list(columns) if settings.EYECLASS_EMOTIONS else [c for c in columns if c not in EMOTION_COLUMNS]


def session_meta(session: Session) -> dict:
    return {
        "id": session.pk,
        "title": session.title,
        "class": {"id": session.classroom_id, "name": session.classroom.name},
        "source": session.source,
        "status": session.status,
        "progress": session.progress,
        "error": session.error,
        "created_at": session.created_at.isoformat(),
        "finished_at": session.finished_at.isoformat() if session.finished_at else None,
        "duration": session.duration,
        "summary": session.summary if settings.EYECLASS_EMOTIONS else summary_without_emotions(session.summary),
        "options": session.options,  # what it was analysed with (frames per second, tiles, faces per frame...)
    }


def session_document(session: Session) -> dict:
    return {
        "session": session_meta(session),
        **({"labels": list(LABELS)} if settings.EYECLASS_EMOTIONS else {}),
        "seconds": list(session.seconds.order_by("second").values(*shown(SECOND_COLUMNS))),
        "tracks": list(session.tracks.order_by("track").values(*shown(TRACK_FIELDS))),
        "events": list(session.events.order_by("onset").values(*shown(EVENT_FIELDS))),
    }


def seconds_csv(session: Session) -> Iterator[str]:
    """Per-second rows, streamed."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    columns = shown(SECOND_COLUMNS)
    writer.writerow(columns)
    yield flush()
    for row in session.seconds.order_by("second").values_list(*columns).iterator(chunk_size=2000):
        writer.writerow(["" if v is None else v for v in row])
        yield flush()


STUDENT_COLUMNS = [
    "student",
    "first_seen_s",
    "last_seen_s",
    "seconds_on_screen",
    "readable_share",
    "engagement",
    "facing",
    "perclos",
    "blinks",
    "blinks_per_min",
    "dominant",
    *LABELS,
    *AU_NAMES,
]


def students_csv(session: Session) -> Iterator[str]:
    """One row per anonymous student track, most present first (the per-session sizes are small)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    columns = shown(STUDENT_COLUMNS)
    writer.writerow(columns)
    for t in session.tracks.order_by("first_time"):
        mix, units = t.emotion_mix or {}, t.units or {}
        row = [
            t.track,
            round(t.first_time, 2),
            round(t.last_time, 2),
            round(t.last_time - t.first_time, 2),
            round(t.readable_frames / t.frames, 4) if t.frames else "",
            *("" if v is None else round(v, 4) for v in (t.engagement, t.facing, t.perclos)),
            t.blinks,
            "" if t.blink_rate is None else round(t.blink_rate, 2),
            t.dominant,
            *("" if mix.get(label) is None else round(mix[label], 4) for label in LABELS),
            *("" if units.get(name) is None else round(units[name], 4) for name in AU_NAMES),
        ]
        writer.writerow([value for name, value in zip(STUDENT_COLUMNS, row) if name in columns])
    yield buffer.getvalue()


def export_name(session: Session, what: str = "") -> str:
    """A file name from the title without its extension (`session.mp4` -> `session`), never empty."""
    from django.utils.text import slugify

    title = session.title
    if session.video_name and title == session.video_name[:200]:
        title = Path(title).stem
    return "-".join(part for part in (slugify(title) or f"session-{session.pk}", what) if part)
