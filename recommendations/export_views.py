"""The CSV exports over HTTP: each honours the query parameters of its list.

Thin: bind the parameters, answer 400 (plain text) when they are invalid, otherwise
stream the file. With READ_REQUIRES_LOGIN on, an anonymous request gets 403 here too,
the same answer as the site-wide middleware gives, so an export never depends on the
middleware being installed.
"""

from django.conf import settings
from django.http import HttpResponse
from django.views.decorators.http import require_safe

from . import access
from .exports import InvalidParameters, export_from_params


def _plain(text: str, status: int) -> HttpResponse:
    return HttpResponse(text + "\n", status=status, content_type="text/plain; charset=utf-8")


def _export(request, kind: str):
    if settings.READ_REQUIRES_LOGIN and not request.user.is_authenticated:
        return _plain("Sign in to download this export.", 403)
    try:
        export = export_from_params(kind, request.GET, audience=access.audience(request.user))
    except InvalidParameters as error:
        return _plain(str(error), 400)
    return export.response()


@require_safe
def recommendations_export(request):
    """``/recommendations/export.csv``: one row per item the list finds."""
    return _export(request, "recommendations")


@require_safe
def follow_ups_export(request):
    """``/follow-ups/export.csv``: the per-delegation status report."""
    return _export(request, "follow-ups")


@require_safe
def follow_ups_matrix(request):
    """``/follow-ups/matrix.csv``: one row per item, one column per delegation."""
    return _export(request, "matrix")


@require_safe
def progress_updates_export(request):
    """``/progress-updates/export.csv``: the history, one row per progress update."""
    return _export(request, "progress-updates")
