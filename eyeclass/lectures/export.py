"""Session exports (CSV, JSON) and the API's session document: one source for all three."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

from inference.labels import LABELS

from .models import EVENT_FIELDS, Lecture

SECOND_COLUMNS = ["second", "faces_present", "readable", "facing", "perclos", "blinks", "engagement", *LABELS]
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
]


def lecture_meta(lecture: Lecture) -> dict:
    return {
        "id": lecture.pk,
        "title": lecture.title,
        "class": {"id": lecture.classroom_id, "name": lecture.classroom.name},
        "source": lecture.source,
        "status": lecture.status,
        "progress": lecture.progress,
        "error": lecture.error,
        "created_at": lecture.created_at.isoformat(),
        "finished_at": lecture.finished_at.isoformat() if lecture.finished_at else None,
        "duration": lecture.duration,
        "summary": lecture.summary,
        "options": lecture.options,  # what it was analysed with (frames per second, tiles, faces per frame...)
    }


def lecture_document(lecture: Lecture) -> dict:
    return {
        "session": lecture_meta(lecture),
        "labels": list(LABELS),
        "seconds": list(lecture.seconds.order_by("second").values(*SECOND_COLUMNS)),
        "tracks": list(lecture.tracks.order_by("track").values(*TRACK_FIELDS)),
        "events": list(lecture.events.order_by("onset").values(*EVENT_FIELDS)),
    }


def seconds_csv(lecture: Lecture) -> Iterator[str]:
    """Per-second rows, streamed."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(SECOND_COLUMNS)
    yield flush()
    for row in lecture.seconds.order_by("second").values_list(*SECOND_COLUMNS).iterator(chunk_size=2000):
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
]


def students_csv(lecture: Lecture) -> Iterator[str]:
    """One row per anonymous student track, most present first (the per-session sizes are small)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(STUDENT_COLUMNS)
    for t in lecture.tracks.order_by("first_time"):
        mix = t.emotion_mix or {}
        writer.writerow(
            [
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
            ]
        )
    yield buffer.getvalue()


def export_name(lecture: Lecture, what: str = "") -> str:
    """A file name from the title without its extension (`lecture.mp4` -> `lecture`), never empty."""
    from django.utils.text import slugify

    title = lecture.title
    if lecture.video_name and title == lecture.video_name[:200]:
        title = Path(title).stem
    return "-".join(part for part in (slugify(title) or f"session-{lecture.pk}", what) if part)
