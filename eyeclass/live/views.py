from __future__ import annotations

import logging

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from eyeclass.classrooms.models import Classroom
from eyeclass.lectures import lifecycle
from eyeclass.lectures.charts import SHARE_COLUMNS
from eyeclass.lectures.forms import preselect_only_class
from eyeclass.lectures.models import Session
from eyeclass.ops.models import WorkerHeartbeat
from eyeclass.school.forms import students_informed
from eyeclass.school.models import AuditEntry, Consent
from inference.labels import LABELS, MIX_LABELS

log = logging.getLogger(__name__)


class LiveStartForm(forms.Form):
    classroom = forms.ModelChoiceField(queryset=Classroom.objects.none(), label="Class")
    title = forms.CharField(max_length=200, required=False)
    students_informed = students_informed()

    def __init__(self, *args, teacher, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["classroom"].queryset = Classroom.objects.for_teacher(teacher)
        preselect_only_class(self)


def pick_worker() -> str | None:
    """The worker with the fewest live sessions: dedicated live workers (queue `live`) first, as uploads
    never hold them up; else GPU workers when a GPU queue is configured; else any."""
    workers = WorkerHeartbeat.alive(3 * settings.WORKER_HEARTBEAT_SECONDS)
    if workers.filter(queues__regex=r"(^|,)live(,|$)").exists():
        workers = workers.filter(queues__regex=r"(^|,)live(,|$)")
    elif settings.EYECLASS_GPU_QUEUE and workers.filter(queues__contains="gpu").exists():
        workers = workers.filter(queues__contains="gpu")
    live = Session.objects.filter(status=Session.Status.LIVE).values("live_worker").annotate(n=Count("id"))
    load = {row["live_worker"]: row["n"] for row in live}
    hostnames = sorted(workers.values_list("hostname", flat=True), key=lambda h: (load.get(h, 0), h))
    return hostnames[0] if hostnames else None


@login_required
def live_start(request):
    form = LiveStartForm(request.POST or None, teacher=request.user, initial=request.GET.dict())
    if request.method == "POST" and form.is_valid():
        worker = pick_worker()
        if worker is None:
            messages.error(
                request,
                "No recognition worker is running, so a live session cannot start. Start one "
                "(see README: celery -A eyeclass worker) and try again.",
            )
        else:
            session = Session.objects.create(
                classroom=form.cleaned_data["classroom"],
                source=Session.Source.LIVE,
                status=Session.Status.LIVE,
                title=form.cleaned_data["title"] or f"Live {timezone.localtime():%b %d, %H:%M}",
                live_worker=worker,
                started_at=timezone.now(),
            )
            Consent.record(session, request.user)
            AuditEntry.record(request.user, AuditEntry.Action.STARTED_LIVE, session)
            return redirect("live_session", pk=session.pk)
    live_now = Session.objects.for_teacher(request.user).filter(status=Session.Status.LIVE).select_related("classroom")
    return render(request, "live/start.html", {"form": form, "live_now": live_now})


@login_required
def live_session(request, pk: int):
    session = get_object_or_404(Session.objects.for_teacher(request.user).select_related("classroom"), pk=pk)
    if session.status != Session.Status.LIVE:
        return redirect(session)
    labels = list(LABELS) if settings.EYECLASS_EMOTIONS else []  # no class names on the page when emotions are off
    context = {"session": session, "labels": labels, "recorded": recorded_seconds(session)}
    return render(request, "live/session.html", context)


def recorded_seconds(session: Session) -> list[dict]:
    """The seconds stored so far, as the socket sends new ones ({"second", "engagement", "emotion_mix"}),
    so a live page reopened or resumed starts with what was already recorded; no emotion mix when
    emotions are off."""
    emotions = settings.EYECLASS_EMOTIONS
    columns = ("second", "engagement", *(SHARE_COLUMNS if emotions else ()))
    out = []
    for second, engagement, *shares in session.seconds.order_by("second").values_list(*columns):
        row = {"second": second, "engagement": None if engagement is None else round(engagement, 3)}
        if emotions:
            mix = {label: None if v is None else round(v, 3) for label, v in zip(MIX_LABELS, shares)}
            row["emotion_mix"] = mix if any(v is not None for v in mix.values()) else None
        out.append(row)
    return out


@login_required
@require_POST
def live_stop(request, pk: int):
    """Stop and save a live session whose camera page was left (the page's own Stop does this over its socket)."""
    session = get_object_or_404(Session.objects.for_teacher(request.user), pk=pk)
    if session.status == Session.Status.LIVE:
        lifecycle.stop_live(session)
        messages.success(request, "The live session was stopped and saved.")
    return redirect(session)
