"""Running writers at the same time, each in its own thread and database connection."""

from __future__ import annotations

import threading
import time

import pytest
from django.conf import settings
from django.db import connection

IS_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def postgres_only(test):
    """Marks a test that runs real concurrent transactions: PostgreSQL only (SQLite
    writers queue for the whole database), with real commits between connections."""
    for mark in (
        pytest.mark.django_db(transaction=True),
        pytest.mark.skipif(not IS_POSTGRES, reason="needs PostgreSQL (DATABASE_URL=postgres://…)"),
        pytest.mark.postgres,
    ):
        test = mark(test)
    return test


def run_together(*jobs, stagger: float = 0.0, timeout: float = 60) -> list:
    """Run every job (a callable) in a thread of its own (named ``job-0``, ``job-1``…),
    released at the same instant, or ``stagger`` seconds apart in the order given.
    Returns what each returned, or the exception it raised, in the order given."""
    barrier = threading.Barrier(len(jobs))
    outcomes: list = [None] * len(jobs)

    def run(index, job):
        try:
            barrier.wait(timeout=10)
            time.sleep(stagger * index)
            outcomes[index] = job()
        except BaseException as error:  # handed to the test
            outcomes[index] = error
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(i, job), name=f"job-{i}") for i, job in enumerate(jobs)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not any(thread.is_alive() for thread in threads), "a job did not finish"
    return outcomes


def slowed(function, seconds: float, only_in: str):
    """``function``, pausing ``seconds`` after it returns when called in the thread
    named ``only_in`` (so that thread holds what it locked while the others wait)."""

    def wrapper(*args, **kwargs):
        result = function(*args, **kwargs)
        if threading.current_thread().name == only_in:
            time.sleep(seconds)
        return result

    return wrapper
