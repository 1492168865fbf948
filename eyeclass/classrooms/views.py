from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Max
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from eyeclass.lectures.models import Session

from . import archive
from .forms import ClassroomForm
from .models import Classroom
from .trends import by_week, session_curve


def _render_home(request, form: ClassroomForm, status: int = 200):
    classrooms = Classroom.objects.for_teacher(request.user).annotate(
        session_count=Count("sessions"), last_session=Max("sessions__created_at")
    )
    recent = Session.objects.for_teacher(request.user).select_related("classroom").defer("charts")[:20]
    context = {"classrooms": classrooms, "recent": recent, "form": form}
    return render(request, "classrooms/home.html", context, status=status)


@login_required
def home(request):
    return _render_home(request, ClassroomForm(teacher=request.user))


@login_required
@require_http_methods(["POST"])
def classroom_create(request):
    form = ClassroomForm(request.POST, teacher=request.user)
    if form.is_valid():
        return redirect(form.save())
    return _render_home(request, form, status=400)


@login_required
def classroom_detail(request, pk: int):
    classroom = get_object_or_404(Classroom.objects.for_teacher(request.user), pk=pk)
    trend = classroom.trend()
    context = {"classroom": classroom, "sessions": classroom.sessions.defer("charts"), "trend": trend}
    return render(request, "classrooms/detail.html", context | {"weeks": by_week(trend)})


def own_classroom(request, pk: int) -> Classroom:
    return get_object_or_404(Classroom.objects.for_teacher(request.user), pk=pk)


@login_required
@require_POST
def classroom_rename(request, pk: int):
    classroom = own_classroom(request, pk)
    form = ClassroomForm(request.POST, instance=classroom, teacher=request.user)
    if form.is_valid():
        form.save()
        messages.success(request, "Renamed.")
    else:
        messages.error(request, " ".join(form.errors.get("name", ["A class needs a name."])))
    return redirect(classroom)


@login_required
@require_POST
def classroom_delete(request, pk: int):
    classroom = own_classroom(request, pk)
    archive.delete_class(classroom, request.user)
    messages.success(request, f"Deleted the class “{classroom.name}” and its sessions.")
    return redirect("home")


@login_required
@require_GET
def classroom_export(request, pk: int):
    """Every session's exports in one zip."""
    classroom = own_classroom(request, pk)
    return FileResponse(
        archive.write_archive(classroom, request.user), as_attachment=True, filename=archive.archive_name(classroom)
    )


@login_required
@require_POST
def classroom_export_delete(request, pk: int):
    """The zip, then the class deleted: in one action, the deletion only once the zip is whole."""
    classroom = own_classroom(request, pk)
    name = archive.archive_name(classroom)
    zipped = archive.write_archive(classroom, request.user)
    archive.delete_class(classroom, request.user, reason="exported then deleted")
    return FileResponse(zipped, as_attachment=True, filename=name)


@login_required
@require_GET
def classroom_compare(request, pk: int):
    """Two finished sessions of the class side by side (?a=ID&b=ID); pickers when they are not chosen."""
    classroom = own_classroom(request, pk)
    done = classroom.sessions.filter(status=Session.Status.DONE).defer("charts")
    chosen = [
        done.filter(pk=request.GET.get(key)).first() if request.GET.get(key, "").isdigit() else None for key in "ab"
    ]
    pair = [c for c in chosen if c is not None]
    curves = [session_curve(session) for session in pair] if len(pair) == 2 else []
    context = {"classroom": classroom, "choices": done, "pair": pair, "curves": curves}
    return render(request, "classrooms/compare.html", context)
