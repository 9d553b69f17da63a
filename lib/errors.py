"""Error pages in the site's style that never query the database.

They are rendered from ``templates/errors/base_error.html`` with a plain context,
not a ``RequestContext``: no context processor runs (the site one queries the
database), so a page still renders when the database is the thing that failed.
No error page shows a stack trace, an exception message or a setting.
"""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader

# Database errors that mean "unavailable right now" (down, restarting, unreachable,
# a timeout): answered with 503 and a Retry-After rather than 500.
DATABASE_UNAVAILABLE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 5


def render_error(template_name: str, status: int, context: dict | None = None) -> HttpResponse:
    """Render an error template without the request context. No query."""
    body = loader.render_to_string(template_name, {"error_code": status, **(context or {})})
    response = HttpResponse(body, status=status, content_type="text/html; charset=utf-8")
    if status >= 500 or status == 429:
        response["Cache-Control"] = "no-store"
    return response


def database_unavailable(request=None) -> HttpResponse:
    """The 503 page shown while the database does not answer. No query."""
    response = render_error("503.html", 503, {"retry_after": RETRY_AFTER_SECONDS})
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def bad_request(request, exception=None):
    return render_error("400.html", 400)


def permission_denied(request, exception=None):
    return render_error("403.html", 403)


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: the 403 page with a hint to reload the form (reason not shown)."""
    return render_error("403.html", 403, {"csrf_failure": True})


def page_not_found(request, exception=None):
    return render_error("404.html", 404)


def server_error(request):
    """handler500. A database error raised outside a view (in a middleware, such as
    the session lookup) reaches Django's 500 handler: it is answered with the 503 page."""
    exception = sys.exc_info()[1]
    if isinstance(exception, DATABASE_UNAVAILABLE_ERRORS):
        return database_unavailable(request)
    return render_error("500.html", 500)


def lockout(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the 429 page after too many failed sign-ins. No query."""
    from axes.helpers import get_cool_off

    cool_off = get_cool_off(request)
    cooloff_minutes = round(cool_off.total_seconds() / 60) if cool_off else 0
    response = render_error("429.html", 429, {"cooloff_minutes": cooloff_minutes})
    if cooloff_minutes:
        response["Retry-After"] = str(cooloff_minutes * 60)
    return response
