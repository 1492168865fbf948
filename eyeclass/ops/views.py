from django.http import JsonResponse
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
