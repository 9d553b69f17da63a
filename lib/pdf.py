"""HTML to PDF on the server (WeasyPrint), reading nothing but the site's static files.

WeasyPrint would fetch any URL a document names, over the network too. Here every
resource is asked of ``StaticFilesFetcher``, which serves the site's own static files
from disk (the collected files, else the apps' static folders) and refuses anything
else: another host, ``file:``, ``data:``, a path outside the static files. A refused
resource is left out of the PDF (WeasyPrint logs a warning), it never stops it.

WeasyPrint needs Pango and HarfBuzz from the system (Debian: ``libpango-1.0-0``,
``libpangoft2-1.0-0``, ``libharfbuzz-subset0``). It is imported on first use, not with
this module, so that a machine without them still serves every page: ``html_to_pdf``
then raises ``PdfUnavailable``, which a view answers with a 503 page.
"""

from __future__ import annotations

import mimetypes
from functools import cache
from importlib import import_module
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import SuspiciousFileOperation

# The origin the document is rendered at. It is not a real host (``.invalid`` never
# resolves); a root-relative URL such as ``/static/…`` resolves against it, and only
# URLs of this origin under STATIC_URL are served.
BASE_URL = "https://pdf.invalid/"


class PdfUnavailable(Exception):
    """WeasyPrint or the system libraries it needs cannot be loaded."""


def static_file(name: str) -> Path | None:
    """The file on disk of the static file ``name`` (as in ``{% static name %}``): the
    one the static files finders find (the apps' static folders, as in development),
    else the collected copy (production's hashed names). ``None`` for anything else,
    ``..`` included."""
    parts = PurePosixPath(name).parts
    if not parts or name.startswith("/") or any(part in ("..", ".") for part in parts):
        return None
    found = finders.find(name)
    if isinstance(found, str) and Path(found).is_file():
        return Path(found)
    try:
        collected = Path(staticfiles_storage.path(name))
    except (NotImplementedError, SuspiciousFileOperation):
        return None
    return collected if collected.is_file() else None


def static_name(url: str, base_url: str = BASE_URL) -> str | None:
    """The static file name a URL of the document names, or ``None`` when the URL is
    not under ``base_url`` + STATIC_URL (another scheme or host, another path)."""
    static_root = urlsplit(base_url)._replace(path="/" + settings.STATIC_URL.strip("/") + "/")
    parts = urlsplit(url)
    if (parts.scheme, parts.netloc) != (static_root.scheme, static_root.netloc):
        return None
    if not parts.path.startswith(static_root.path):
        return None
    return unquote(parts.path.removeprefix(static_root.path))


@cache
def _weasyprint():
    """The ``weasyprint`` module, loaded once. Raises ``PdfUnavailable`` when it or its
    system libraries are missing (cffi raises ``OSError`` for a missing library)."""
    try:
        return import_module("weasyprint")
    except (ImportError, OSError) as error:
        raise PdfUnavailable(str(error)) from error


def is_available() -> bool:
    """Whether PDFs can be made here (WeasyPrint and its system libraries load)."""
    try:
        _weasyprint()
    except PdfUnavailable:
        return False
    return True


@cache
def _fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticFilesFetcher(URLFetcher):
        """Serves the site's static files from disk; refuses every other URL."""

        def fetch(self, url, headers=None):
            name = static_name(url)
            path = static_file(name) if name is not None else None
            if path is None:
                raise ValueError(f"Only the site's static files are read: {url!r} refused")
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(
                url, body=path.read_bytes(), headers={"Content-Type": content_type}
            )

    return StaticFilesFetcher


def static_files_fetcher():
    """A WeasyPrint URL fetcher that serves only the site's static files. Raises
    ``PdfUnavailable`` when WeasyPrint cannot be loaded."""
    _weasyprint()
    return _fetcher_class()()


def html_to_pdf(html: str) -> bytes:
    """The PDF of an HTML document whose resources are the site's static files
    (``{% static %}`` URLs; nothing else is fetched). Raises ``PdfUnavailable`` when
    WeasyPrint or its system libraries are missing. No database query."""
    weasyprint = _weasyprint()
    document = weasyprint.HTML(string=html, base_url=BASE_URL, url_fetcher=static_files_fetcher())
    return document.write_pdf()
