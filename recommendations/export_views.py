"""The exports over HTTP, each as CSV and as a spreadsheet (XLSX): each honours the
query parameters of its list, whichever the format (the URL's extension).

Thin: bind the parameters, answer 400 (plain text) when they are invalid (or select
more rows than a spreadsheet holds), otherwise send the file. With READ_REQUIRES_LOGIN
on, an anonymous request gets 403 here too, the same answer as the site-wide
middleware gives, so an export never depends on the middleware being installed.
"""

from django.conf import settings
from django.http import HttpResponse
from django.views.decorators.http import require_safe

from . import access
from .exports import InvalidParameters, TooManyRows, export_from_params


def _plain(text: str, status: int) -> HttpResponse:
    return HttpResponse(text + "\n", status=status, content_type="text/plain; charset=utf-8")


def _export(request, kind: str, extension: str):
    if settings.READ_REQUIRES_LOGIN and not request.user.is_authenticated:
        return _plain("Sign in to download this export.", 403)
    try:
        export = export_from_params(kind, request.GET, audience=access.audience(request.user))
        return export.response(extension)
    except (InvalidParameters, TooManyRows) as error:
        return _plain(str(error), 400)


@require_safe
def recommendations_export(request, extension: str = "csv"):
    """``/recommendations/export.csv`` (and ``.xlsx``): one row per item the list finds."""
    return _export(request, "recommendations", extension)


@require_safe
def follow_ups_export(request, extension: str = "csv"):
    """``/follow-ups/export.csv`` (and ``.xlsx``): the per-delegation status report."""
    return _export(request, "follow-ups", extension)


@require_safe
def follow_ups_matrix(request, extension: str = "csv"):
    """``/follow-ups/matrix.csv`` (and ``.xlsx``): one row per item, one column per
    delegation."""
    return _export(request, "matrix", extension)


@require_safe
def progress_updates_export(request, extension: str = "csv"):
    """``/progress-updates/export.csv`` (and ``.xlsx``): the history, one row per
    progress update."""
    return _export(request, "progress-updates", extension)
