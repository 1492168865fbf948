"""A small authenticated JSON API (session login): the same data the pages and exports show."""

from __future__ import annotations

from functools import wraps

from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from eyeclass.classrooms.models import Classroom
from eyeclass.school.models import AuditEntry

from .export import session_document, session_meta
from .models import Session


def api_login_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return JsonResponse({"error": "authentication required"}, status=401)
        return view(request, *args, **kwargs)

    return wrapper


@require_GET
@api_login_required
def classes(request):
    rows = Classroom.objects.for_teacher(request.user).values("id", "name", "created_at")
    return JsonResponse({"classes": list(rows)})


@require_GET
@api_login_required
def class_detail(request, pk: int):
    classroom = get_object_or_404(Classroom.objects.for_teacher(request.user), pk=pk)
    sessions = [session_meta(session) for session in classroom.sessions.select_related("classroom").defer("charts")]
    return JsonResponse({"id": classroom.pk, "name": classroom.name, "sessions": sessions, "trend": classroom.trend()})


@require_GET
@api_login_required
def session_detail(request, pk: int):
    session = get_object_or_404(Session.objects.for_teacher(request.user).select_related("classroom"), pk=pk)
    AuditEntry.record(request.user, AuditEntry.Action.EXPORTED, session, "API")
    return JsonResponse(session_document(session))
