"""Operations endpoints: the load balancer's health check and the favicon. No login, no personal data."""

import logging

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.db import connection
from django.http import FileResponse, Http404, HttpRequest, JsonResponse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _cache() -> None:
    cache.set("healthz", "ok", 10)
    if cache.get("healthz") != "ok":
        raise RuntimeError("cache did not keep a value")


def _broker() -> None:
    from minzheng.celery import app

    with app.connection_for_write(url=settings.CELERY_BROKER_URL) as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0.5, interval_max=0.5, timeout=2)


@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database, the cache and (when one is configured) the Celery broker answer, else 503.

    The answer names the components and "ok"/"error" only: no exception text, so nothing about the
    infrastructure (host names, user names) reaches an unauthenticated caller.
    """
    checks = {"database": _database, "cache": _cache}
    if settings.CELERY_BROKER_URL and not settings.CELERY_TASK_ALWAYS_EAGER:
        checks["broker"] = _broker
    results = {}
    for name, check in checks.items():
        try:
            check()
            results[name] = "ok"
        except Exception:  # any failure means "not healthy"; the reason goes to the server's log only
            logger.exception("health check %s failed", name)
            results[name] = "error"
    healthy = all(value == "ok" for value in results.values())
    response = JsonResponse({"status": "ok" if healthy else "error", "checks": results}, status=200 if healthy else 503)
    patch_cache_control(response, no_store=True)
    return response


@require_safe
def favicon(request: HttpRequest) -> FileResponse:
    """/favicon.ico: browsers ask for it at the root whatever the page says; the icon is a static file."""
    path = finders.find("web/favicon.ico")
    if not path:
        raise Http404
    response = FileResponse(open(path, "rb"), content_type="image/x-icon")  # noqa: SIM115 — FileResponse closes it
    patch_cache_control(response, public=True, max_age=7 * 24 * 3600)
    return response
