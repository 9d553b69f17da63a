#!/usr/bin/env python3
"""Scale benchmark (`make bench`): the same app on a small and a large data set.

    .venv/bin/python bench/run.py [--quick] [--keep] [--reseed] [--pg-url URL]

It creates two PostgreSQL databases (h_bench_small, h_bench_large by default), migrates
them and fills them with `seed_synthetic`: 1k follow-ups for the small one; 100k items,
1M follow-ups and 3M progress updates for the large one (--quick: 10k, 100k, 300k), with
a roster of six delegations (a follow-up of every item each, for the matrix).
A database already seeded with the same parameters is reused (--reseed to start over);
both are dropped at the end unless --keep. Then it serves each with gunicorn (gthread,
DEBUG off, on a free loopback port), measures with a small threaded keep-alive HTTP
client (list pages, admin, matrix, CSV and XLSX exports), and prints one table of
ratios measured in this run, each with its raw figures, which it also writes into
BENCHMARKS.md under "Scale benchmark".

This is a benchmark, not a test: it reports a missed target and exits 0. It exits 1
only if it could not run (no PostgreSQL, a server that does not start).

django-import-export (ratio 5) is installed into .venv/bench-deps at run time and put
on the path of one subprocess only; it is not a dependency of the app.

The parts: scenario.py (the data sets and URLs), datasets.py (the scratch databases),
measure.py (servers and clients), report.py (the table); common.py holds what the load
test (load.py) shares with it.
"""

from __future__ import annotations

import argparse
import datetime
import math
import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

if not __package__:  # run as a file (python bench/run.py): import from the repository root
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench.common import BENCHMARKS, ROOT, load_average, manage  # noqa: E402
from bench.datasets import (  # noqa: E402
    DEPS,
    admin_execute,
    app_env,
    ensure_import_export,
    prepare,
    raw_copy,
    task,
)
from bench.measure import (  # noqa: E402
    Sample,
    admin_login,
    download,
    hammer,
    list_with_and_without_exports,
    paired,
    serving,
    showing,
)
from bench.report import Row, render, table, write_benchmarks  # noqa: E402
from bench.scenario import (  # noqa: E402
    ADMIN_LISTS,
    EXPORT_ALL,
    EXPORT_TENTH,
    FOLLOW_UPS_PAGE,
    LIST_FILTERS,
    MATRIX_FILTERS,
    SIZES,
    SPREADSHEETS,
    TRIVIAL,
)


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def run(args) -> tuple[list[Row], dict]:
    password = secrets.token_urlsafe(16)
    large_size = SIZES["quick" if args.quick else "large"]
    names = {"small": f"{args.db_prefix}_small", "large": f"{args.db_prefix}_large"}
    urls = {}
    for key, size in (("small", SIZES["small"]), ("large", large_size)):
        log(f"Preparing {names[key]} ({size['follow_ups']:,} follow-ups)…")
        urls[key], done = prepare(args.pg_url, names[key], size, args.reseed, password)
        log(f"{names[key]}: {done}")
    extra: dict[str, object] = {
        "follow-ups": {key: task(url, "counts") for key, url in urls.items()}
    }
    manage(app_env(urls["small"]), "collectstatic", "--noinput", "-v0")

    lists: dict[str, dict[str, Sample]] = {"small": {}, "large": {}}
    admins: dict[str, dict[str, Sample]] = {"small": {}, "large": {}}
    rounds = args.rounds
    per_round = {"requests": max(1, args.requests // rounds), "rounds": rounds}
    statement = task(urls["large"], "export-sql", EXPORT_ALL)
    extra["export sql"] = statement

    with (
        serving(urls["small"], args.workers, args.threads) as small,
        serving(urls["large"], args.workers, args.threads) as large,
    ):
        log(f"gunicorn {args.workers}×{args.threads}: small on {small.port}, large on {large.port}")
        for label, path in LIST_FILTERS:
            lists["small"][label], lists["large"][label] = paired(
                [(small.port, path, ""), (large.port, path, "")], **per_round
            )
            log(f"list {label}: small {lists['small'][label].describe()}")
            log(f"list {label}: large {lists['large'][label].describe()}")
        matrix: dict[str, dict[str, Sample]] = {"small": {}, "large": {}}
        for label, path in MATRIX_FILTERS:
            matrix["small"][label], matrix["large"][label] = paired(
                [(small.port, path, ""), (large.port, path, "")], **per_round
            )
            log(f"matrix {label}: small {matrix['small'][label].describe()}")
            log(f"matrix {label}: large {matrix['large'][label].describe()}")
        extra["matrix"] = matrix
        cookies = {
            key: admin_login(server.port, password)
            for key, server in (("small", small), ("large", large))
        }
        extra["admin sign-in"] = {key: bool(c) for key, c in cookies.items()}
        for label, path in ADMIN_LISTS:
            admins["small"][label], admins["large"][label] = paired(
                [(small.port, path, cookies["small"]), (large.port, path, cookies["large"])],
                **per_round,
            )
            log(f"admin {label}: small {admins['small'][label].describe()}")
            log(f"admin {label}: large {admins['large'][label].describe()}")
        extra["page 1"], extra["page 1000"] = paired(
            [
                (large.port, FOLLOW_UPS_PAGE.format(1), ""),
                (large.port, FOLLOW_UPS_PAGE.format(1000), ""),
            ],
            **per_round,
        )
        extra["page 1000 shows"] = showing(large.port, FOLLOW_UPS_PAGE.format(1000))
        log(f"follow-ups page 1: {extra['page 1'].describe()}")
        log(f"follow-ups page 1000: {extra['page 1000'].describe()}")
        extra["small list rps"], extra["list rps"], extra["trivial rps"] = paired(
            [
                (small.port, LIST_FILTERS[0][1], ""),
                (large.port, LIST_FILTERS[0][1], ""),
                (large.port, TRIVIAL, ""),
            ],
            rounds=rounds,
            duration=args.duration / rounds,
        )
        log(f"list: {extra['list rps'].rps:.1f}/s, trivial: {extra['trivial rps'].rps:.1f}/s")
        # The export over HTTP and the raw COPY of its statement, alternately, best of two.
        tries, copies = [], []
        for _ in range(2):
            tries.append(download(large, EXPORT_ALL))
            if statement.get("sql"):
                copies.append(raw_copy(urls["large"], statement["sql"]))
        extra["export"] = min(tries, key=lambda d: d.seconds if d.ok else math.inf)
        extra["copy"] = min(copies) if copies else None
        log(f"export over HTTP: {extra['export'].describe()}")
        if copies:
            log(f"raw COPY: {extra['copy'][0]:.1f} s, {extra['copy'][1] / 1e6:.0f} MB")
        calm, busy, exports = Sample(LIST_FILTERS[0][1]), Sample(LIST_FILTERS[0][1]), []
        if extra["export"].ok:
            calm, busy, exports = list_with_and_without_exports(
                large,
                LIST_FILTERS[0][1],
                EXPORT_ALL,
                rounds=rounds,
                requests=per_round["requests"],
            )
        extra["list without export"], extra["list during export"] = calm, busy
        extra["exports during"] = exports
        log(f"list without export: {calm.describe()}; during: {busy.describe()}")

    # Memory: a server of one worker, so the export is served by a known process.
    with serving(urls["large"], 1, args.threads) as server:
        hammer(server.port, LIST_FILTERS[0][1], clients=2, requests=5)
        extra["export tenth"] = download(server, EXPORT_TENTH, watch_rss=True)
        extra["export rss"] = download(server, EXPORT_ALL, watch_rss=True)
        log(f"RSS, a tenth: {extra['export tenth'].describe()}")
        log(f"RSS, all: {extra['export rss'].describe()}")
        # Each spreadsheet and the CSV of the same rows, alternately, twice each: the
        # faster of each pair for the time, the higher peak for the memory.
        sheets: dict[str, dict[str, list]] = {}
        for _ in range(2):
            for what, csv_path, xlsx_path in SPREADSHEETS:
                tries = sheets.setdefault(what, {"csv": [], "xlsx": []})
                tries["csv"].append(download(server, csv_path, watch_rss=True))
                tries["xlsx"].append(download(server, xlsx_path, watch_rss=True, spreadsheet=True))
                log(f"{what} CSV: {tries['csv'][-1].describe()}")
                log(f"{what} XLSX: {tries['xlsx'][-1].describe()}")
        extra["spreadsheets"] = sheets

    if not args.skip_import_export and statement.get("status") == 200:
        log("django-import-export export of the same rows (this takes a while)…")
        ensure_import_export()
        extra["import-export"] = task(
            urls["large"], "import-export", "meeting=synthetic", PYTHONPATH=str(DEPS)
        )
        log(f"django-import-export: {extra['import-export']}")

    rows = table(lists, admins, extra)
    if not args.keep:
        for name in names.values():
            admin_execute(args.pg_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return rows, extra


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="A smaller large set (10k items, 100k follow-ups)."
    )
    parser.add_argument("--keep", action="store_true", help="Keep both databases afterwards.")
    parser.add_argument(
        "--reseed", action="store_true", help="Seed again even if the data set is there."
    )
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
        help="Where to create the databases (the path is ignored).",
    )
    parser.add_argument("--db-prefix", default="h_bench")
    parser.add_argument("--requests", type=int, default=25, help="Per client, per URL.")
    parser.add_argument("--duration", type=float, default=10.0, help="Seconds per rps run.")
    parser.add_argument(
        "--rounds", type=int, default=5, help="Rounds the paired measurements alternate in."
    )
    parser.add_argument("--workers", type=int, default=min(2 * (os.cpu_count() or 1) + 1, 12))
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument(
        "--skip-import-export", action="store_true", help="Leave out ratio 5 (slow)."
    )
    parser.add_argument(
        "--no-write", action="store_true", help="Print the table; leave BENCHMARKS.md alone."
    )
    args = parser.parse_args(argv)

    started = datetime.datetime.now(datetime.UTC)
    load_start = load_average()
    try:
        rows, extra = run(args)
    except (subprocess.CalledProcessError, RuntimeError, OSError) as error:
        print(f"The benchmark could not run: {error}", file=sys.stderr)
        return 1
    section = render(rows, args, extra, started, (load_start, load_average()))
    print()
    print(section)
    if not args.no_write:
        write_benchmarks(section)
        print(f"\nWritten to {BENCHMARKS.relative_to(ROOT)}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
