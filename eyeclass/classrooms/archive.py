"""A class's sessions as one zip (each finished session's CSV, students CSV and JSON exports, plus an
index of every session), for a teacher to keep before the class is deleted.

The zip is written to a temporary file, not memory, entry by entry from the exports' own generators, so
a class of many long sessions stays bounded in memory; the deletion that may follow only starts once the
whole file is written, so a failure part way deletes nothing.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
import zipfile

from django.utils.text import slugify

from eyeclass.lectures import lifecycle
from eyeclass.lectures.export import export_name, seconds_csv, session_document, students_csv
from eyeclass.lectures.models import Session
from eyeclass.school.models import AuditEntry

from .models import Classroom


def archive_name(classroom: Classroom) -> str:
    return f"{slugify(classroom.name) or f'class-{classroom.pk}'}.zip"


def write_archive(classroom: Classroom, by) -> tempfile.SpooledTemporaryFile:
    """The zip, rewound; each exported session is in the audit log as exported by `by`."""
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    index = io.StringIO()
    rows = csv.writer(index)
    rows.writerow(["session", "title", "source", "status", "recorded", "files"])
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for session in classroom.sessions.select_related("classroom").defer("charts").order_by("created_at"):
            folder = f"{session.created_at:%Y-%m-%d}-{session.pk}-{export_name(session)}"
            files = []
            if session.status == Session.Status.DONE:
                for name, lines in (("seconds.csv", seconds_csv(session)), ("students.csv", students_csv(session))):
                    with archive.open(f"{folder}/{name}", "w") as entry:
                        for line in lines:
                            entry.write(line.encode())
                    files.append(name)
                archive.writestr(f"{folder}/session.json", json.dumps(session_document(session), indent=1))
                files.append("session.json")
                AuditEntry.record(by, AuditEntry.Action.EXPORTED, session, "class archive")
            row = [session.pk, session.title, session.source, session.status, session.created_at.isoformat()]
            rows.writerow([*row, " ".join(f"{folder}/{f}" for f in files)])
        archive.writestr("index.csv", index.getvalue())
    out.seek(0)
    return out


def delete_class(classroom: Classroom, by, reason: str = "") -> None:
    """Every session through the lifecycle (queued chunks revoked, kept videos removed), then the class."""
    for session in classroom.sessions.all():
        lifecycle.delete(session, by=by, reason=reason or "with its class")
    AuditEntry.record(by, AuditEntry.Action.DELETED, classroom, reason)
    classroom.delete()
