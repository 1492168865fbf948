from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST

from eyeclass.school.models import AuditEntry, Consent

from . import lifecycle, retention
from .export import export_name, seconds_csv, session_document
from .forms import UploadForm, human_bytes
from .glossary import TERMS, model_accuracy
from .models import Session
from .uploads import declare_spooled_length, inspect_video, install_upload_handlers, store_upload


def own_session(request, pk: int) -> Session:
    return get_object_or_404(Session.objects.for_teacher(request.user).select_related("classroom"), pk=pk)


def wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@csrf_exempt  # upload handlers must be set before the body is read; CSRF is checked just below
@login_required
def upload(request):
    if request.method == "POST":
        declare_spooled_length(request)
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
        if declared > settings.UPLOAD_MAX_BYTES + 1024 * 1024:
            return _upload_refused(request, f"The file is larger than {human_bytes(settings.UPLOAD_MAX_BYTES)}.", 413)
        install_upload_handlers(request)
    return _upload(request)


@csrf_protect
def _upload(request):
    if request.method == "POST" and request.content_type != "multipart/form-data":
        reason = "Send the recording as a multipart/form-data form with a “video” file field."
        return _upload_refused(request, reason, 415)
    form = UploadForm(request.POST or None, request.FILES or None, teacher=request.user, initial=request.GET.dict())
    if request.method == "POST":
        if getattr(request, "upload_too_large", False):
            return _upload_refused(request, f"The file is larger than {human_bytes(settings.UPLOAD_MAX_BYTES)}.", 413)
        if form.is_valid():
            video = form.cleaned_data["video"]
            session = Session(
                classroom=form.cleaned_data["classroom"],
                title=form.cleaned_data["title"] or video.name[:200],
                video_name=video.name[:255],
                video_bytes=video.size,
                keep_video=form.cleaned_data["keep_video"],
                video_file=Session.new_video_file(video.name),
            )
            path = store_upload(video, session.video_file)
            try:
                facts = inspect_video(path)
            except ValueError as exc:
                path.unlink(missing_ok=True)
                form.add_error("video", str(exc))
            else:
                session.width, session.height, session.fps, session.duration = (
                    facts.width,
                    facts.height,
                    facts.fps,
                    facts.duration,
                )
                with transaction.atomic():
                    session.save()
                    Consent.record(session, request.user)
                    AuditEntry.record(request.user, AuditEntry.Action.UPLOADED, session)
                    lifecycle.enqueue(session)
                if session.send_failed:
                    return _saved_not_sent(request, session)
                if wants_json(request):
                    return JsonResponse(session.status_dict(), status=201)
                return redirect(session)
        if wants_json(request):
            return JsonResponse({"errors": {k: [str(e) for e in v] for k, v in form.errors.items()}}, status=400)
    return render(
        request,
        "lectures/upload.html",
        {"form": form, "max_bytes": settings.UPLOAD_MAX_BYTES},
        status=400 if form.errors else 200,
    )


UNSENT_NOTICE = (
    "Saved and queued, but the analysis queue cannot be reached just now. Analysis starts by itself "
    "within a minute of the queue coming back: there is no need to upload the video again."
)


def _saved_not_sent(request, session: Session):
    """The session is stored and queued, but its task could not be sent (the broker is down): 202."""
    messages.warning(request, UNSENT_NOTICE)  # shown on the session page, where the upload form goes next
    if wants_json(request):
        return JsonResponse({**session.status_dict(), "notice": UNSENT_NOTICE}, status=202)
    return redirect(session)


def _upload_refused(request, reason: str, status: int):
    if wants_json(request):
        return JsonResponse({"errors": {"video": [reason]}}, status=status)
    form = UploadForm(teacher=request.user)
    form.errors["video"] = form.error_class([reason])
    return render(
        request, "lectures/upload.html", {"form": form, "max_bytes": settings.UPLOAD_MAX_BYTES}, status=status
    )


@login_required
@require_GET
def session_detail(request, pk: int):
    session = own_session(request, pk)
    AuditEntry.record(request.user, AuditEntry.Action.VIEWED, session)
    context = {
        "session": session,
        "grace": settings.EYECLASS_LIVE_GRACE_SECONDS,
        "expires_at": retention.expires_at(session),
        "video_expires_at": retention.video_expires_at(session),
        "consent": Consent.objects.filter(session=session).first(),
    }
    return render(request, "lectures/detail.html", context)


@login_required
@require_GET
def session_status(request, pk: int):
    return JsonResponse(own_session(request, pk).status_dict())


@login_required
@require_POST
def session_reprocess(request, pk: int):
    session = own_session(request, pk)
    if session.video_path is None or not session.video_path.exists():
        messages.error(request, "The video was deleted after processing; upload it again to reprocess.")
    elif session.status in (Session.Status.QUEUED, Session.Status.PROCESSING, Session.Status.LIVE):
        messages.error(request, "This session is already being processed.")
    else:
        with transaction.atomic():
            lifecycle.enqueue(session)
        if session.send_failed:
            return _saved_not_sent(request, session)
        messages.success(request, "Queued for processing again.")
    return redirect(session)


@login_required
@require_POST
def session_delete(request, pk: int):
    session = own_session(request, pk)
    classroom = session.classroom
    lifecycle.delete(session, by=request.user)
    messages.success(request, f"Deleted “{session.title}”.")
    return redirect(classroom)


@login_required
@require_GET
def session_export(request, pk: int, fmt: str):
    session = own_session(request, pk)
    name = export_name(session)
    AuditEntry.record(request.user, AuditEntry.Action.EXPORTED, session, f"{fmt.upper()}")
    if fmt == "csv":
        response = StreamingHttpResponse(seconds_csv(session), content_type="text/csv; charset=utf-8")
    else:
        response = JsonResponse(session_document(session), json_dumps_params={"indent": 1})
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@login_required
@require_POST
def session_rename(request, pk: int):
    session = own_session(request, pk)
    title = request.POST.get("title", "").strip()[:200]
    if title:
        session.title = title
        session.save(update_fields=["title"])
        messages.success(request, "Renamed.")
    else:
        messages.error(request, "A session needs a title.")
    return redirect(session)


def help_page(request):
    terms = TERMS if settings.EYECLASS_EMOTIONS else {k: v for k, v in TERMS.items() if k != "emotions"}
    context = {
        "terms": terms,
        "model": model_accuracy() if settings.EYECLASS_EMOTIONS else None,
    }
    return render(request, "help.html", context)
