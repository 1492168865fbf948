"""The school administrator's pages: teachers (invite, deactivate, reactivate) and the audit log."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from . import teachers
from .forms import DeactivateForm, InviteForm
from .models import AuditEntry
from .roles import is_school_admin, school_admin_required


def _teachers_page(request, form: InviteForm, status: int = 200):
    rows = [(t, teachers.is_invited(t), is_school_admin(t)) for t in teachers.teachers()]
    return render(request, "school/teachers.html", {"form": form, "rows": rows}, status=status)


@school_admin_required
def teacher_list(request):
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        site = request.build_absolute_uri("/")
        try:
            teachers.invite_teacher(form.cleaned_data["email"], request.user, site, form.cleaned_data["name"])
        except ValidationError as error:
            form.add_error("email", error)
        else:
            messages.success(request, f"Invitation sent to {form.cleaned_data['email']}.")
            return redirect("school_teachers")
    return _teachers_page(request, form, status=400 if form.errors else 200)


def _teacher(pk: int):
    return get_object_or_404(get_user_model().objects.filter(is_superuser=False), pk=pk)


@school_admin_required
def teacher_deactivate(request, pk: int):
    teacher = _teacher(pk)
    form = DeactivateForm(request.POST or None, teacher=teacher)
    if teacher == request.user:
        messages.error(request, "You cannot deactivate your own account.")
        return redirect("school_teachers")
    if request.method == "POST" and form.is_valid():
        to = form.cleaned_data["transfer_to"] if form.cleaned_data["classes"] == "transfer" else None
        moved = teachers.deactivate(teacher, request.user, to)
        where = f"; {moved} class(es) moved to {to.get_username()}" if to else "; their classes are kept"
        messages.success(request, f"Deactivated {teacher.get_username()}{where}.")
        return redirect("school_teachers")
    classes = teacher.classrooms.all()
    context = {"teacher": teacher, "form": form, "classes": classes}
    return render(request, "school/deactivate.html", context, status=400 if form.errors else 200)


@school_admin_required
@require_POST
def teacher_reactivate(request, pk: int):
    teacher = _teacher(pk)
    teachers.reactivate(teacher, request.user)
    messages.success(request, f"Reactivated {teacher.get_username()}.")
    return redirect("school_teachers")


@school_admin_required
def audit_log(request):
    page = Paginator(AuditEntry.objects.all(), 100).get_page(request.GET.get("page"))
    kept = {"audit_days": settings.EYECLASS_AUDIT_DAYS, "view_minutes": settings.EYECLASS_AUDIT_VIEW_MINUTES}
    return render(request, "school/audit.html", {"page": page, **kept})
