"""``/healthz`` for load balancers and uptime probes."""

import logging

from django.db import DatabaseError, connections
from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger("ministerial.database")


@never_cache
@require_safe
def healthz(request):
    """200 "ok" when the database answers ``SELECT 1``, 503 otherwise.

    One query, on the worker's persistent connection; no session, no template,
    no CSRF. ``SELECT 1`` takes no lock and reads no table, so the only slow
    part can be opening a connection, which ``connect_timeout``
    (DB_CONNECT_TIMEOUT, 3 s by default) bounds. Cheap enough to poll every second.
    """
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        logger.warning("event=healthz_failed error=%s", type(exc).__name__)
        return HttpResponse(
            "database unavailable", status=503, content_type="text/plain; charset=utf-8"
        )
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")
