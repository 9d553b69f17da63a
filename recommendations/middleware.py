"""Request-level behaviour that every page shares: the request log line, the
optional sign-in requirement for reading, and the 503 page when the database is away.
"""

from __future__ import annotations

import json
import logging
import re
import time

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.shortcuts import resolve_url
from django.urls import reverse

from . import errors

request_logger = logging.getLogger("ministerial.request")
db_logger = logging.getLogger("ministerial.database")

_NEEDS_QUOTES = re.compile(r'[\s"=\\]|[\x00-\x1f\x7f]')


def _logfmt_value(value) -> str:
    text = str(value)
    if text == "" or _NEEDS_QUOTES.search(text):
        # JSON string escaping: quotes, backslashes and control characters (a
        # "%0A" in a path) cannot break the line or forge another field.
        return json.dumps(text, ensure_ascii=False)
    return text


def logfmt(**fields) -> str:
    """``key=value key="quoted value"``: one line, parseable by logfmt tools."""
    return " ".join(f"{key}={_logfmt_value(value)}" for key, value in fields.items())


class RequestLogMiddleware:
    """One log line per request on the ``ministerial.request`` logger:
    ``method=GET path=/recommendations/ status=200 duration_ms=12.3``.

    Placed first in MIDDLEWARE so the status is the final one (error pages
    included) and the duration covers every other middleware. For a streamed
    export the duration is the time to the first byte. A health probe that
    succeeds is logged at DEBUG so that polling every second does not flood
    the log; a failing one is a WARNING like every 5xx.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        duration_ms = (time.perf_counter() - started) * 1000
        status = response.status_code
        if status >= 500:
            level = logging.WARNING
        elif status == 200 and request.path_info == "/healthz":
            level = logging.DEBUG
        else:
            level = logging.INFO
        if request_logger.isEnabledFor(level):
            request_logger.log(
                level,
                logfmt(
                    method=request.method,
                    path=request.path,
                    status=status,
                    duration_ms=f"{duration_ms:.1f}",
                ),
            )
        return response


class HeadWithoutBodyMiddleware:
    """Answer HEAD with the headers of the GET (Content-Length included) and no body.

    Django leaves the body in; gunicorn then drops it and logs a warning for every
    HEAD request, which a monitor probing with HEAD would turn into log noise.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method == "HEAD" and not response.streaming:
            response.content = b""
        elif request.method == "HEAD":
            response.streaming_content = []
        return response


class ReadRequiresLoginMiddleware:
    """With ``READ_REQUIRES_LOGIN`` on, every page and export needs a signed-in user.

    Exempt: the admin (it has its own sign-in), the sign-in and password pages of
    ``/accounts/``, static files, ``/healthz`` and the language switch. A page
    redirects to the sign-in (``LOGIN_URL``) and back; an export
    (a path ending in ``.csv``) answers 403 in plain text, since a script fetching
    CSV cannot follow a sign-in form. Checked before URL resolution, so a visitor
    who is not signed in cannot probe which paths exist. The setting is read on
    every request, so tests can switch it. Queries only to load a signed-in
    user's session (as any page does).
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self._exempt_prefixes: tuple[str, ...] | None = None

    def exempt_prefixes(self) -> tuple[str, ...]:
        if self._exempt_prefixes is None:
            self._exempt_prefixes = (
                reverse("admin:index"),
                # Sign-in, sign-out and password reset, which a visitor must reach.
                "/accounts/",
                reverse("healthz"),
                "/" + settings.STATIC_URL.lstrip("/"),
                "/i18n/",
            )
        return self._exempt_prefixes

    def __call__(self, request):
        if (
            settings.READ_REQUIRES_LOGIN
            and not request.path_info.startswith(self.exempt_prefixes())
            and not request.user.is_authenticated
        ):
            if request.path_info.endswith(".csv"):
                return HttpResponse(
                    "Sign in to download this export.\n",
                    status=403,
                    content_type="text/plain; charset=utf-8",
                )
            return redirect_to_login(request.get_full_path(), resolve_url(settings.LOGIN_URL))
        return self.get_response(request)


class DatabaseUnavailableMiddleware:
    """A view that fails because the database does not answer (down, restarting,
    unreachable, a timeout) gets the 503 page, rendered without a query, instead
    of a 500. The same failure in a middleware reaches ``errors.server_error``,
    which answers 503 too. Logged as one WARNING line, without a stack trace.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, errors.DATABASE_UNAVAILABLE_ERRORS):
            db_logger.warning(
                logfmt(
                    event="database_unavailable",
                    path=request.path,
                    error=type(exception).__name__,
                    detail=str(exception).strip().splitlines()[0] if str(exception) else "",
                )
            )
            return errors.database_unavailable(request)
        return None


def client_ip(request) -> str | None:
    """The client's address, for the login throttle (AXES_CLIENT_IP_CALLABLE).

    With ``TRUSTED_PROXY_COUNT = 0`` it is REMOTE_ADDR and X-Forwarded-For is
    ignored, since any client can send one. Behind N proxies that each append
    the address they received from, it is the N-th entry from the right of
    X-Forwarded-For: entries further left were written by the client and are
    not trusted.
    """
    count = settings.TRUSTED_PROXY_COUNT
    remote = request.META.get("REMOTE_ADDR")
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) >= count:
        return forwarded[-count]
    # Fewer entries than proxies: the request did not come through all of them.
    return forwarded[0] if forwarded else remote
