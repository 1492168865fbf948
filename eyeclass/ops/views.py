from django.core.exceptions import DisallowedHost, RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .health import run_checks

LOOPBACK = {"127.0.0.1", "::1"}


@never_cache
@require_GET
def healthz(request):
    """State of each part, for load balancers and operators. Details (worker host names, file paths,
    error text) only for staff or callers on this machine; everyone else sees which parts are up."""
    report = run_checks()
    if not (request.user.is_staff or request.META.get("REMOTE_ADDR") in LOOPBACK):
        report["checks"] = {name: {"ok": check["ok"]} for name, check in report["checks"].items()}
    return JsonResponse(report, status=200 if report["ok"] else 503)


BAD_REQUEST_REASONS = (  # what a sender is told for each kind of bad request (no internals)
    (MultiPartParserError, "The form data could not be read (malformed multipart/form-data)."),
    (RequestDataTooBig, "The form is too large for this address."),
    (TooManyFieldsSent, "The form has too many fields."),
    (TooManyFilesSent, "The form has too many files."),
    (DisallowedHost, "This host name is not served here."),
)


def bad_request(request, exception=None):
    """handler400: every 400 says why, in JSON for API callers, else as a page."""
    reason = next((text for kind, text in BAD_REQUEST_REASONS if isinstance(exception, kind)), None)
    reason = reason or "The request was malformed and could not be handled."
    if "application/json" in request.headers.get("Accept", ""):
        return JsonResponse({"error": reason}, status=400)
    return render(request, "400.html", {"reason": reason}, status=400)
