"""A teacher's notes pinned to a moment of a session: add, edit, delete (POST, the session's owner only)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from .forms import NoteForm
from .models import Note
from .views import own_session


def _back(session):
    return redirect(f"{session.get_absolute_url()}#moments")


def _refused(request, form: NoteForm) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, f"The note was not saved: {error}")


@login_required
@require_POST
def note_add(request, pk: int):
    session = own_session(request, pk)
    form = NoteForm(request.POST, session=session)
    if session.notes.count() >= Note.MAX_PER_SESSION:
        messages.error(request, f"A session holds at most {Note.MAX_PER_SESSION} notes: delete one first.")
    elif form.is_valid():
        session.notes.create(**form.cleaned_data)
        messages.success(request, "Note added.")
    else:
        _refused(request, form)
    return _back(session)


@login_required
@require_POST
def note_edit(request, pk: int, note: int):
    session = own_session(request, pk)
    row = get_object_or_404(session.notes, pk=note)
    form = NoteForm(request.POST, session=session)
    if form.is_valid():
        row.at, row.text = form.cleaned_data["at"], form.cleaned_data["text"]
        row.save(update_fields=["at", "text"])
        messages.success(request, "Note saved.")
    else:
        _refused(request, form)
    return _back(session)


@login_required
@require_POST
def note_delete(request, pk: int, note: int):
    session = own_session(request, pk)
    get_object_or_404(session.notes, pk=note).delete()
    messages.success(request, "Note deleted.")
    return _back(session)
