"""Session exports (CSV, JSON) and the API's session document: one source for all three."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings

from inference.emotionless import summary_without_emotions
from inference.labels import LABELS, MIX_LABELS
from inference.records import AU_NAMES

from .charts import SHARE_COLUMNS
from .models import EVENT_FIELDS, Session

# LABELS: the mean probabilities of the faces read; SHARE_COLUMNS: the emotion mix (share by top class)
SECOND_COLUMNS = [
    "second",
    "faces_present",
    "readable",
    "oriented",  # faces whose head orientation was known: readable eyes, or the head only (small faces)
    "facing",
    "perclos",
    "blinks",
    "engagement",
    *LABELS,
    *SHARE_COLUMNS,
    *AU_NAMES,
]
# what a withheld session's student rows leave blank (inference.summary.shown): every number read from the eyes
WITHHELD_TRACK_FIELDS = (
    "blinks",
    "blink_rate",
    "perclos",
    "facing",
    "engagement",
    "dominant",
    "emotion_mix",
    "probabilities",
    "timeline",
    "units",
    "units_timeline",
)
TRACK_FIELDS = ["track", "first_time", "last_time", "frames", "readable_frames", *WITHHELD_TRACK_FIELDS]


EMOTION_COLUMNS = {*LABELS, *SHARE_COLUMNS, "dominant", "emotion_mix", "probabilities", "label"}


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
        "summary": session.figures if settings.EYECLASS_EMOTIONS else summary_without_emotions(session.figures),
        "options": session.options,  # what it was analysed with (frames per second, tiles, faces per frame...)
    }


# what a withheld session's rows leave blank (inference.summary.shown): every number read from the eyes
WITHHELD_SECOND_COLUMNS = ("facing", "perclos", "blinks", "engagement", *LABELS, *SHARE_COLUMNS, *AU_NAMES)


def _withhold(rows, names, withheld: bool):
    """Rows (dicts) with the named fields they have None when the session's numbers are withheld."""
    return [{**row, **{name: None for name in names if name in row}} for row in rows] if withheld else list(rows)


def session_document(session: Session) -> dict:
    withheld = session.figures["withheld"]
    seconds = session.seconds.order_by("second").values(*shown(SECOND_COLUMNS))
    tracks = session.tracks.filter(excluded=False).order_by("track").values(*shown(TRACK_FIELDS))
    return {
        "session": session_meta(session),
        **({"labels": list(LABELS)} if settings.EYECLASS_EMOTIONS else {}),
        "seconds": _withhold(seconds, WITHHELD_SECOND_COLUMNS, withheld),
        "tracks": _withhold(tracks, WITHHELD_TRACK_FIELDS, withheld),
        "events": [] if withheld else list(session.counted_events().values(*shown(EVENT_FIELDS))),
        # tracks in no number above: still images (a poster, a photo) and tracks the teacher left out
        "left_out": list(session.left_out.values("track", "still", "first_time", "last_time")),
        "notes": [{"at": n["at"], "text": n["text"]} for n in session.pinned_notes()],  # the teacher's own words
    }


def seconds_csv(session: Session) -> Iterator[str]:
    """Per-second rows, streamed; the withheld columns blank when the session's numbers are withheld."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    columns = shown(SECOND_COLUMNS)
    withheld = session.figures["withheld"]
    blank = {i for i, name in enumerate(columns) if name in WITHHELD_SECOND_COLUMNS} if withheld else set()
    writer.writerow(columns)
    yield flush()
    for row in session.seconds.order_by("second").values_list(*columns).iterator(chunk_size=2000):
        writer.writerow(["" if v is None or i in blank else v for i, v in enumerate(row)])
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
    *SHARE_COLUMNS,
    *AU_NAMES,
]


def students_csv(session: Session) -> Iterator[str]:
    """One row per anonymous student track counted in the class, in order of appearance (the
    per-session sizes are small); tracks left out (still images, or by the teacher) are not students."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    columns = shown(STUDENT_COLUMNS)
    writer.writerow(columns)
    withheld = session.figures["withheld"]
    for t in session.tracks.filter(excluded=False).order_by("first_time"):
        if withheld:  # who was on screen, and how readable, is a count; the rest is withheld
            for name in WITHHELD_TRACK_FIELDS:
                setattr(t, name, None)
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
            *("" if mix.get(label) is None else round(mix[label], 4) for label in MIX_LABELS),
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
