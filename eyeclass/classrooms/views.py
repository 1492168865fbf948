from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Max
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from eyeclass.lectures.models import Lecture

from .forms import ClassroomForm
from .models import Classroom


@login_required
def home(request):
    classrooms = Classroom.objects.for_teacher(request.user).annotate(
        sessions=Count("lectures"), last_session=Max("lectures__created_at")
    )
    recent = Lecture.objects.for_teacher(request.user).select_related("classroom").defer("charts")[:20]
    form = ClassroomForm(teacher=request.user)
    return render(request, "classrooms/home.html", {"classrooms": classrooms, "recent": recent, "form": form})


@login_required
@require_http_methods(["POST"])
def classroom_create(request):
    form = ClassroomForm(request.POST, teacher=request.user)
    if form.is_valid():
        return redirect(form.save())
    classrooms = Classroom.objects.for_teacher(request.user)
    recent = Lecture.objects.for_teacher(request.user).select_related("classroom").defer("charts")[:20]
    return render(request, "classrooms/home.html", {"classrooms": classrooms, "recent": recent, "form": form}, status=400)


@login_required
def classroom_detail(request, pk: int):
    classroom = get_object_or_404(Classroom.objects.for_teacher(request.user), pk=pk)
    return render(
        request,
        "classrooms/detail.html",
        {"classroom": classroom, "lectures": classroom.lectures.defer("charts"), "trend": classroom.trend()},
    )
