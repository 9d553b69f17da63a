"""Seeding: the synthetic meeting written in one transaction, then the planner's
statistics refreshed."""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection, transaction

from recommendations.models import (
    Delegation,
    FollowUp,
    Meeting,
    Person,
    ProgressUpdate,
    Recommendation,
    Session,
)

from .generator import Generator
from .sinks import BulkCreateSink, CopySink
from .spec import MEETING_SLUG, SyntheticSpec


def synthetic_seed(
    *, spec: SyntheticSpec, dry_run: bool = False, log: Callable[[str], None] = lambda s: None
) -> dict[str, int]:
    """Create the synthetic meeting and everything under it, in one transaction.

    Raises ``ValueError`` if the parameters are impossible or the synthetic meeting exists
    already. With ``dry_run`` everything is generated and written, then rolled back.
    Returns how many rows of each kind were written. Runs ANALYZE afterwards on PostgreSQL.
    """
    problems = spec.problems()
    if problems:
        raise ValueError("; ".join(problems))
    if Meeting.objects.filter(slug=MEETING_SLUG).exists():
        raise ValueError(
            "The synthetic meeting exists already; remove it first with seed_synthetic --delete."
        )
    counts: dict[str, int] = {}
    with transaction.atomic():
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # One long COPY may outlast the web role's statement timeout.
                cursor.execute("SET LOCAL statement_timeout = 0")
                sink = CopySink(cursor)
            else:
                sink = BulkCreateSink()
            Generator(spec, cursor, sink, counts, log).run()
        if dry_run:
            transaction.set_rollback(True)
        else:
            log("Committing (the database checks the foreign keys)…")
    if not dry_run and connection.vendor == "postgresql":
        log("Analyzing…")
        analyze()
    return counts


def analyze() -> None:
    """Refresh the planner's statistics (PostgreSQL; nothing elsewhere). Outside a
    transaction it also vacuums, so index-only scans work on freshly loaded tables."""
    if connection.vendor != "postgresql":
        return
    tables = ", ".join(
        connection.ops.quote_name(m._meta.db_table)
        for m in (
            Recommendation,
            Recommendation.themes.through,
            FollowUp,
            ProgressUpdate,
            Person,
            Session,
            Delegation,
        )
    )
    verb = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
    with connection.cursor() as cursor:
        cursor.execute(f"{verb} {tables}")
