"""One anonymous student's page, and all students of a session as CSV."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from eyeclass.school.models import AuditEntry
from inference.labels import MIX_LABELS
from inference.records import AU_NAMES

from .charts import broken_at_gaps, script_safe_json
from .export import export_name, students_csv
from .views import own_session

CHARTED_UNITS = AU_NAMES[:6]  # AU43 (eyes closed) is a share of the lid gap, not a distance: the blink cards say it


def units_series(units_timeline: list) -> dict[str, list]:
    """Each charted unit's [[second, % of the inter-ocular distance], ...] from a student's stored rows."""
    return {
        name.upper(): [[row[0], None if row[1 + i] is None else round(100 * row[1 + i], 2)] for row in units_timeline]
        for i, name in enumerate(AU_NAMES)
        if name in CHARTED_UNITS
    }


@login_required
@require_GET
def student_detail(request, pk: int, track: int):
    session = own_session(request, pk)
    student = get_object_or_404(session.tracks, track=track)
    events = list(session.events.filter(track=track).order_by("onset"))
    mix = student.emotion_mix or {}
    series = {
        "timeline": broken_at_gaps(student.timeline),
        "events": [
            {"apex": e.apex, "kind": e.kind, "label": e.label, "cue": e.cue, "actions": e.actions} for e in events
        ],
        "units": units_series(broken_at_gaps(student.units_timeline)),
        "mix": [{"label": label, "value": mix.get(label)} for label in MIX_LABELS],
        "duration": session.duration or (student.last_time + 1),
    }
    if not settings.EYECLASS_EMOTIONS:  # emotions off in this deployment: none reach the page
        unlabelled = [{k: v for k, v in e.items() if k != "label"} for e in series["events"]]
        series = {**{k: v for k, v in series.items() if k != "mix"}, "events": unlabelled}
    context = {
        "session": session,
        "student": student,
        "events": events,
        "on_screen": student.last_time - student.first_time,
        "readable_share": student.readable_frames / student.frames if student.frames else None,
        "series": script_safe_json(series),
        "withheld": session.figures["withheld"],
        "withheld_cards": [
            ("Engagement", "engagement"),
            ("Facing", "facing"),
            ("Blinks", "blinks"),
            ("Eyes closed", "perclos"),
        ],
    }
    return render(request, "lectures/student.html", context)


@login_required
@require_POST
def student_counted(request, pk: int, track: int):
    """Leave a track out of the class numbers (`counted=0`) or count it again (`counted=1`)."""
    session = own_session(request, pk)
    student = get_object_or_404(session.tracks, track=track)
    if session.status != session.Status.DONE:
        messages.error(request, "Students can be left out once the session is analysed.")
    elif request.POST.get("counted") not in ("0", "1"):
        messages.error(request, "Say whether to count this track (counted=1) or leave it out (counted=0).")
    else:
        counted = request.POST["counted"] == "1"
        session.set_counted(student, counted)
        done = "counted again" if counted else "left out of the class numbers"
        messages.success(request, f"Student {track} is {done}; every number and chart was made again.")
    if request.POST.get("next") == "student":
        return redirect("student", pk, track)
    return redirect(session)


@login_required
@require_GET
def session_students_csv(request, pk: int):
    session = own_session(request, pk)
    AuditEntry.record(request.user, AuditEntry.Action.EXPORTED, session, "students CSV")
    response = StreamingHttpResponse(students_csv(session), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{export_name(session, "students")}.csv"'
    return response
