"""Writers that collide: one lock order, and a retry when the database gives up.

Every service that locks several rows takes them in one order: follow-ups by id
ascending, then their progress updates by id. Two such writers then queue instead of
deadlocking. Should the database still abort a transaction as a deadlock or a
serialisation failure (PostgreSQL), or find itself locked (SQLite), the service is run
again from the start, a few times; after that ``BusyError`` says "try again", which the
admin shows as a message: a collision is never the "database unavailable" page.
"""

from __future__ import annotations

import functools
import logging
import random
import time

from django.db import OperationalError, connection
from django.utils.translation import gettext as _

logger = logging.getLogger("ministerial.database")

ATTEMPTS = 4


class BusyError(Exception):
    """Other changes to the same rows kept colliding with this one; nothing was written."""

    def __init__(self):
        super().__init__(
            _(
                "Other changes to the same follow-ups were being saved at the same time, so "
                "nothing was changed. Please try again."
            )
        )


def is_collision(error: BaseException) -> bool:
    """Whether a database error means "collided with another writer; retry"."""
    if not isinstance(error, OperationalError):
        return False
    cause = error.__cause__
    try:
        from psycopg import errors as pg
    except ImportError:  # pragma: no cover - psycopg is a dependency
        pg = None
    if pg is not None and isinstance(cause, pg.DeadlockDetected | pg.SerializationFailure):
        return True
    return "database is locked" in str(error)


def retry_on_collision(function):
    """Run ``function`` (which opens its own transaction) again when the database
    aborts it as a collision; ``BusyError`` once ``ATTEMPTS`` are spent. Inside a
    transaction of the caller's, nothing can be retried: the error is left to it."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        if connection.in_atomic_block:
            return function(*args, **kwargs)
        for attempt in range(1, ATTEMPTS + 1):
            try:
                return function(*args, **kwargs)
            except OperationalError as error:
                if not is_collision(error):
                    raise
                logger.warning(
                    "event=write_collision function=%s attempt=%s error=%s",
                    function.__name__,
                    attempt,
                    type(error.__cause__ or error).__name__,
                )
                if attempt == ATTEMPTS:
                    raise BusyError() from error
                time.sleep(random.uniform(0.05, 0.2) * attempt)
        raise AssertionError("unreachable")  # pragma: no cover

    return wrapper
