#!/usr/bin/env python3
"""Memory benchmark of the CSV import's preview: plan a file of 200,000 rows.

    .venv/bin/python bench/import_memory.py [--rows 200000] [--database-url URL]

It migrates a scratch SQLite database in a temporary folder (or uses --database-url),
adds the items and delegations the file names (and a follow-up with one update for a
tenth of the pairs, so part of the file meets existing history), writes the file, and
in a fresh process for each way of planning reads it and measures the peak resident
memory (VmHWM, reset through /proc/self/clear_refs) while planning it:

- streaming: ``imports.build_plan`` as the preview runs it (counts, one page of rows);
- keeping every row: the same plan holding every row's PlanRow, as the preview did
  before it streamed (for comparison).

It prints, for each, the peak growth over the resident memory before planning and its
ratio to the file's size, and the size of the preview page rendered from the plan.
A benchmark, not a test: it asserts nothing. Linux only (reads /proc).
"""

from __future__ import annotations

import argparse
import datetime
import gc
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def measure(function):
    """(result, seconds, peak resident growth in bytes) of calling ``function``."""
    gc.collect()
    Path("/proc/self/clear_refs").write_text("5")  # reset the high-water mark
    before = _kib("VmRSS")
    started = time.perf_counter()
    result = function()
    seconds = time.perf_counter() - started
    return result, seconds, (_kib("VmHWM") - before) * 1024


def setup_django(database_url: str | None, folder: str, migrate: bool = True) -> None:
    os.environ["DATABASE_URL"] = database_url or f"sqlite:///{folder}/bench.sqlite3"
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ministerial.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)


def seed(items: int, delegations: int):
    from recommendations.models import (
        Delegation,
        FollowUp,
        Meeting,
        ProgressUpdate,
        Recommendation,
        Session,
    )

    meeting = Meeting.objects.create(
        title="Import benchmark",
        slug="import-bench",
        city="Bench",
        country="PK",
        start_date=datetime.date(2023, 8, 30),
        end_date=datetime.date(2023, 8, 31),
        target_name="Target",
        target_date=datetime.date(2023, 12, 5),
    )
    session = Session.objects.create(meeting=meeting, day=1, order=1, code="B1", title="Bench")
    Recommendation.objects.bulk_create(
        Recommendation(
            meeting=meeting,
            session=session,
            code=f"B-{n:05d}",
            order=n,
            text="x",
            source_excerpt="x",
        )
        for n in range(items)
    )
    Delegation.objects.bulk_create(
        Delegation(code=f"D{n:03d}", name=f"Delegation {n}") for n in range(delegations)
    )
    codes = list(Recommendation.objects.order_by("pk").values_list("pk", "code"))
    delegation_rows = list(Delegation.objects.order_by("pk").values_list("pk", "code"))
    pairs = [(rec, dele) for rec, _ in codes for dele, _ in delegation_rows][::10]
    FollowUp.objects.bulk_create(
        FollowUp(recommendation_id=rec, delegation_id=dele) for rec, dele in pairs
    )
    ProgressUpdate.objects.bulk_create(
        ProgressUpdate(
            follow_up_id=pk, date=datetime.date(2023, 9, 1), status="planned", note="Old"
        )
        for pk in FollowUp.objects.values_list("pk", flat=True)
    )
    return [code for _pk, code in codes], [code for _pk, code in delegation_rows]


def build_file(rows: int, items: list[str], delegations: list[str]) -> str:
    lines = ["code,delegation,status,date,note,evidence_url"]
    for n in range(rows):
        item, delegation = (
            items[n // len(delegations) % len(items)],
            delegations[n % len(delegations)],
        )
        lines.append(
            f"{item},{delegation},in_progress,2023-10-{1 + n % 28:02d},"
            f"Progress reported for row {n},https://example.org/evidence/{n}.pdf"
        )
    return "\r\n".join(lines) + "\r\n"


MODES = {"streaming": "the preview as it runs", "keeping every row": "as it was before"}


def measure_in_this_process(mode: str, csv_path: str) -> None:
    """Plan the file in the way ``mode`` names and print one line of figures."""
    from django.contrib.auth.models import User
    from django.template.loader import render_to_string

    from recommendations import imports

    user = User.objects.get(username="bench")
    text = Path(csv_path).read_text(encoding="utf-8")
    size = len(text.encode("utf-8"))
    keep = imports.ROWS_KEPT if mode == "streaming" else 10**9
    plan, seconds, growth = measure(lambda: imports.build_plan(text, user=user, keep=keep))
    page = render_to_string(
        "admin/recommendations/progressupdate/import_rows.html",
        {"rows": plan.rows, "caption": "rows"},
    )
    print(
        f"{mode:>18}: {seconds:5.1f} s, peak RSS growth {growth / 2**20:7.1f} MiB, "
        f"ratio to the file {growth / size:5.2f}, {plan.total:,} rows planned "
        f"({plan.count(*imports.WRITES):,} to write), "
        f"rows table {len(page) / 2**20:.2f} MiB",
        flush=True,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--database-url", help="default: a scratch SQLite file")
    parser.add_argument("--measure", choices=list(MODES), help=argparse.SUPPRESS)
    parser.add_argument("--csv", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:  # a child process: a fresh heap for each measurement
        setup_django(args.database_url, "", migrate=False)
        measure_in_this_process(args.measure, args.csv)
        return 0
    with tempfile.TemporaryDirectory() as folder:
        database_url = args.database_url or f"sqlite:///{folder}/bench.sqlite3"
        setup_django(database_url, folder)
        from django.contrib.auth.models import User

        delegations = 100
        items, delegation_codes = seed(max(1, args.rows // delegations), delegations)
        User.objects.create_superuser("bench", "bench@example.org", "unused-password")
        csv_path = Path(folder) / "updates.csv"
        csv_path.write_text(build_file(args.rows, items, delegation_codes), encoding="utf-8")
        size = csv_path.stat().st_size
        print(f"file: {args.rows:,} rows, {size / 2**20:.1f} MiB", flush=True)
        for mode in MODES:
            command = [sys.executable, __file__, "--measure", mode, "--csv", str(csv_path)]
            subprocess.run([*command, "--database-url", database_url], check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
