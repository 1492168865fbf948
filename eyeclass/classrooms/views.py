from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Max
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from eyeclass.lectures.models import Lecture

from .forms import ClassroomForm
from .models import Classroom


def _render_home(request, form: ClassroomForm, status: int = 200):
    classrooms = Classroom.objects.for_teacher(request.user).annotate(
        sessions=Count("lectures"), last_session=Max("lectures__created_at")
    )
    recent = Lecture.objects.for_teacher(request.user).select_related("classroom").defer("charts")[:20]
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
    return render(
        request,
        "classrooms/detail.html",
        {"classroom": classroom, "lectures": classroom.lectures.defer("charts"), "trend": classroom.trend()},
    )
