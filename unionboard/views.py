"""The health endpoint: what a load balancer or a monitor asks before sending users."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from unionboard import backends


@login_not_required
@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """200 and `{"status": "ok", ...}` when every database answers, the cache keeps a value and
    the migrations are applied; else 503 naming what failed.

    Open to anyone (a probe has no session), so it says which check failed and the kind of
    error, never a host name, a URL or a password.
    """
    checks: dict[str, str] = {}
    databases = backends.database_problems()
    for alias in settings.DATABASES:
        checks[f"database:{alias}"] = _short(databases.get(alias))
    cache = backends.cache_problems()
    checks["cache"] = _short(cache.get("default"))
    if "default" in databases:
        checks["migrations"] = "not checked: the database does not answer"
    else:
        try:
            pending = backends.unapplied_migrations()
        except Exception as exc:  # the migration table cannot be read
            checks["migrations"] = f"failed: {type(exc).__name__}"
        else:
            checks["migrations"] = "ok" if pending == 0 else f"failed: {pending} not applied"
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse({"status": "ok" if healthy else "failing", "checks": checks},
                        status=200 if healthy else 503)


def _short(problem: str | None) -> str:
    """'ok', or the failure's kind: 'failed: OperationalError'."""
    return "ok" if problem is None else f"failed: {problem.split(':', 1)[0]}"
