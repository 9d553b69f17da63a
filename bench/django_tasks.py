"""Small jobs the scale benchmark runs inside Django, one database at a time.

    DATABASE_URL=... python -m bench.django_tasks params
    DATABASE_URL=... python -m bench.django_tasks counts
    DATABASE_URL=... BENCH_PASSWORD=... python -m bench.django_tasks superuser bench
    DATABASE_URL=... python -m bench.django_tasks export-sql '/follow-ups/export.csv?…'
    DATABASE_URL=... PYTHONPATH=<django-import-export> python -m bench.django_tasks \
        import-export 'meeting=synthetic'

Each prints one line of JSON on stdout. The benchmark (bench/run.py) calls them as
subprocesses so that the benchmark itself never configures Django. ``params`` needs the
development tools installed (TRACKER_DEVTOOLS=1, as the benchmark sets).
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

if not __package__:  # run as a file: import from the repository root
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench.common import django_setup  # noqa: E402


def params() -> dict:
    """The parameters the synthetic data was seeded with (null if none)."""
    from devtools.synthetic import seeded_parameters

    return {"params": seeded_parameters()}


def counts() -> dict:
    """The synthetic follow-ups: all of them, and those with no report yet (the
    roster's, added to the generated ones)."""
    from recommendations.models import FollowUp
    from recommendations.status import State

    synthetic = FollowUp.objects.filter(recommendation__meeting__slug="synthetic")
    return {
        "follow_ups": synthetic.count(),
        "not_reported": synthetic.filter(status=State.NOT_REPORTED).count(),
    }


def superuser(username: str) -> dict:
    """Create or reset the benchmark's superuser with the password in BENCH_PASSWORD."""
    from django.contrib.auth import get_user_model

    user, _ = get_user_model().objects.get_or_create(username=username)
    user.email = f"{username}@example.org"
    user.is_staff = user.is_superuser = user.is_active = True
    user.set_password(os.environ["BENCH_PASSWORD"])
    user.save()
    return {"username": username}


def export_sql(path: str) -> dict:
    """The statement the app runs for the export at ``path``: the request goes through
    the URLconf as a real one would, the queries are captured, and the largest one that
    reads the follow-ups is returned (a SELECT, or a COPY if the export uses COPY)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    def candidates(captured):
        return [
            q["sql"]
            for q in captured.captured_queries
            if "recommendations_followup" in q["sql"]
            and q["sql"].lstrip().upper().startswith(("SELECT", "COPY", "DECLARE", "WITH"))
        ]

    client = Client(HTTP_HOST="127.0.0.1")
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
        if response.status_code != 200:
            return {"status": response.status_code, "sql": None}
        if response.streaming:
            # Read until the statement has been sent (the header may come first).
            for _block in response.streaming_content:
                if candidates(captured):
                    break
        response.close()
    found = candidates(captured)
    if not found:
        return {"status": 200, "sql": None}
    sql = max(found, key=len)
    if sql.lstrip().upper().startswith("DECLARE"):
        # A server-side cursor: DECLARE "name" NO SCROLL CURSOR WITH HOLD FOR SELECT …
        sql = sql[sql.upper().index(" FOR ") + 5 :]
    return {"status": 200, "sql": sql}


def import_export(query: str) -> dict:
    """Time django-import-export exporting the follow-ups that ``query`` selects, with
    the columns of the app's follow-up export, to CSV in memory. The queryset is given
    the same help a careful Django user would give it (joins and subqueries, no N+1)."""
    from django.contrib.postgres.aggregates import StringAgg
    from django.db.models import OuterRef, Subquery, Value
    from django.http import QueryDict
    from import_export import fields, resources

    from recommendations.filters import FollowUpFilter
    from recommendations.models import FollowUp, Recommendation
    from recommendations.status import OPEN, Status
    from recommendations.status import latest_update as latest

    themes = Subquery(
        Recommendation.themes.through.objects.filter(recommendation=OuterRef("recommendation"))
        .order_by()
        .values("recommendation")
        .annotate(slugs=StringAgg("theme__slug", Value("; "), order_by="theme__slug"))
        .values("slugs")
    )
    today = time.strftime("%Y-%m-%d")

    class FollowUpResource(resources.ModelResource):
        code = fields.Field(attribute="recommendation__code", column_name="code")
        delegation = fields.Field(attribute="delegation__code", column_name="delegation")
        delegation_name = fields.Field(attribute="delegation__name", column_name="delegation_name")
        themes = fields.Field(attribute="themes_joined", column_name="themes")
        status = fields.Field(attribute="status_in_force", column_name="status")
        pledge = fields.Field(attribute="pledge", column_name="pledge")
        target_date = fields.Field(attribute="target_date", column_name="target_date")
        last_update_date = fields.Field(attribute="update_date", column_name="last_update_date")
        last_update_note = fields.Field(attribute="update_note", column_name="last_update_note")
        overdue = fields.Field(column_name="overdue")

        class Meta:
            model = FollowUp
            fields = (
                "code",
                "delegation",
                "delegation_name",
                "themes",
                "status",
                "pledge",
                "target_date",
                "last_update_date",
                "last_update_note",
                "overdue",
            )
            export_order = fields
            chunk_size = 2000

        def dehydrate_overdue(self, follow_up):
            target = follow_up.target_date
            late = target and target.isoformat() < today and follow_up.status in OPEN
            return "yes" if late else "no"

    filterset = FollowUpFilter(QueryDict(query), queryset=FollowUp.objects.all())
    if not filterset.is_valid():
        return {"error": str(filterset.errors)}
    queryset = (
        filterset.qs.select_related("recommendation", "delegation")
        .annotate(
            themes_joined=themes,
            status_in_force=latest("status", None, default=Status.NOT_STARTED.value),
            update_date=latest("date"),
            update_note=latest("note"),
        )
        .order_by("recommendation__code", "delegation__code")
    )
    started = time.perf_counter()
    dataset = FollowUpResource().export(queryset)
    text = dataset.export("csv")
    with open(os.devnull, "w", encoding="utf-8") as sink:
        sink.write(text)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "rows": len(dataset), "bytes": len(text.encode("utf-8"))}


def main(argv: list[str]) -> int:
    django_setup()
    action, *args = argv
    jobs = {
        "params": params,
        "counts": counts,
        "superuser": superuser,
        "export-sql": export_sql,
        "import-export": import_export,
    }
    print(json.dumps(jobs[action](*args), default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
