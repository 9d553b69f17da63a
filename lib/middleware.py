"""Request-level behaviour every page shares, whatever the app: the request log line,
HEAD answered without a body, and the 503 page when the database is away."""

from __future__ import annotations

import logging
import time

from . import errors
from .logfmt import logfmt

request_logger = logging.getLogger("ministerial.request")
db_logger = logging.getLogger("ministerial.database")


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
