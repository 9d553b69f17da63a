#!/usr/bin/env python3
"""Load test: N concurrent clients against gunicorn and the configured database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/scratch \\
        .venv/bin/python bench/load.py --duration 60 --clients 50 [--write-benchmarks]

(`make load LOAD_ARGS="--duration 10"` runs it too.) It writes to DATABASE_URL:
migrate, then the demo data (`load_demo --no-admin`, the illustrative follow-ups
included unless ALLOW_SAMPLE_DATA=0), so point it at a scratch database, never
at production. It then starts gunicorn in production mode on a free loopback
port with gunicorn.conf.py, and every client, on its own keep-alive connection,
requests the dashboard, list, detail, delegation and export pages one after the
other for --duration seconds. It prints requests per second, p50/p95/p99
latency and the error count per page and overall, and exits 1 on any error
(a status other than 200, a dropped connection, a timeout). A GET the server
dropped unread on a kept-alive connection is sent again once on a new one, as a
browser does, and counted apart (see bench.common.Client).

Only the standard library on the client side: threads and http.client.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

if not __package__:  # run as a file (python bench/load.py): import from the repository root
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench.common import (  # noqa: E402
    BENCHMARKS,
    PYTHON,
    ROOT,
    Client,
    django_setup,
    free_port,
    gunicorn_start,
    gunicorn_stop,
    machine,
    manage,
    percentile,
    production_env,
    write_section,
)

BEGIN, END = "<!-- load-test:begin -->", "<!-- load-test:end -->"

# Page families and their share of the requests. Each family's URLs are the ones
# that exist in this build (an export that is not built yet is left out and said so).
FAMILIES = {
    "dashboard": 15,
    "list": 25,
    "detail": 30,
    "delegation": 10,
    "export": 20,
}
EXPORT_PATHS = [
    "/recommendations/export.csv",
    "/follow-ups/export.csv",
    "/follow-ups/matrix.csv",
    "/progress-updates/export.csv",
]
REQUEST_TIMEOUT = 30.0


# --- Runs inside Django (a subprocess with the server's environment) ------------


def discover() -> dict:
    """The URLs to request, from the database and the URLconf. Prints JSON."""
    django_setup()
    from django.db import connection
    from django.urls import Resolver404, resolve

    from recommendations.models import Delegation, Recommendation

    def exists(path):
        try:
            resolve(path)
        except Resolver404:
            return False
        return True

    codes = list(Recommendation.objects.real().values_list("code", flat=True)[:80])
    delegations = list(
        Delegation.objects.filter(follow_ups__isnull=False)
        .distinct()
        .values_list("code", flat=True)[:30]
    )
    urls = {
        "dashboard": ["/"],
        "list": ["/recommendations/", "/recommendations/?q=peacekeepers"],
        "detail": [f"/recommendations/{code}/" for code in codes],
        "delegation": [f"/delegations/{code}/" for code in delegations],
        "export": [path for path in EXPORT_PATHS if exists(path)],
    }
    missing = [path for path in EXPORT_PATHS if not exists(path)]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            database = "PostgreSQL " + cursor.fetchone()[0].split()[0]
    else:
        database = f"{connection.vendor} {connection.Database.sqlite_version}"
    return {"urls": urls, "not_built": missing, "database": database}


def seed_fallback() -> None:
    """A small stand-in data set for a checkout without the Islamabad fixture:
    one meeting, 5 sessions, 60 recommendations, 12 delegations with follow-ups.
    Marked illustrative. Does nothing if there is a meeting already."""
    django_setup()
    from django.db import transaction

    from recommendations import services
    from recommendations.models import (
        Delegation,
        FollowUp,
        Meeting,
        Recommendation,
        Session,
        Status,
        Theme,
    )

    if Meeting.objects.exists():
        return
    rng = random.Random(2023)
    with transaction.atomic():
        meeting = Meeting.objects.create(
            title="Load-test meeting",
            slug="load-test",
            city="Islamabad",
            country="PK",
            start_date=datetime.date(2023, 8, 30),
            end_date=datetime.date(2023, 8, 31),
            target_date=datetime.date(2023, 12, 5),
        )
        themes = [Theme.objects.create(slug=f"theme-{i}", name=f"Theme {i}") for i in range(6)]
        delegations = [
            Delegation.objects.create(code=f"D{i:02d}", name=f"Delegation {i}") for i in range(12)
        ]
        for s in range(5):
            session = Session.objects.create(
                meeting=meeting, day=1 + s // 3, order=s, code=f"S{s}", title=f"Session {s}"
            )
            for r in range(12):
                item = Recommendation.objects.create(
                    meeting=meeting,
                    session=session,
                    code=f"S{s}-{r:02d}",
                    order=r,
                    text=f"Strengthen peacekeepers' safety, measure {s}.{r}.",
                    source_excerpt="Participants called for stronger protection of peacekeepers.",
                )
                item.themes.set(rng.sample(themes, 2))
                for delegation in rng.sample(delegations, 4):
                    follow_up = services.follow_up_create(
                        recommendation=item, delegation=delegation
                    )
                    for month in range(9, 9 + rng.randint(0, 3)):
                        services.progress_update_create(
                            follow_up=follow_up,
                            date=datetime.date(2023, month, 1),
                            status=rng.choice([Status.PLANNED, Status.IN_PROGRESS]),
                            note="Sample progress note.",
                        )
        FollowUp.objects.update(is_illustrative=True)


# --- The client ---------------------------------------------------------------


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    samples: list[str] = field(default_factory=list)
    retried: int = 0  # GETs sent again after the server closed a kept-alive connection


def client_loop(port, urls, weights, deadline, seed, tally: Tally):
    """One client: pages picked at random by family weight, one after the other on one
    keep-alive connection, until ``deadline``. Latencies in milliseconds."""
    rng = random.Random(seed)
    families = list(weights)
    client = Client(port, timeout=REQUEST_TIMEOUT)
    while time.monotonic() < deadline:
        family = rng.choices(families, weights=[weights[f] for f in families])[0]
        path = rng.choice(urls[family])
        answer = client.get(path)
        tally.latencies.setdefault(family, []).append(answer.seconds * 1000)
        tally.retried += answer.retried
        if answer.status != 200:
            tally.errors[family] = tally.errors.get(family, 0) + 1
            if len(tally.samples) < 5:
                tally.samples.append(f"{path}: {answer.status or answer.error}")
    client.close()


# --- Orchestration ------------------------------------------------------------


def prepare_database(env) -> str:
    manage(env, "migrate", "--noinput", "-v0")
    if (ROOT / "fixtures" / "islamabad-2023.json").exists():
        manage(env, "load_demo", "--no-admin")
        data = "the demo data (load_demo --no-admin)"
    else:
        print("fixtures/islamabad-2023.json is missing: seeding a small stand-in data set")
        subprocess.run(
            [PYTHON, "-m", "bench.load", "--seed-fallback"], cwd=ROOT, env=env, check=True
        )
        data = "a stand-in data set (no Islamabad fixture in this checkout)"
    manage(env, "collectstatic", "--noinput", "-v0")
    return data


def gunicorn_shape(env) -> tuple[int, int]:
    import runpy

    saved = dict(os.environ)
    os.environ.update(env)
    try:
        config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return config["workers"], config["threads"]


def public_database_url(url: str) -> str:
    return re.sub(r"//([^:/@]+):[^@]*@", r"//\1:***@", url)


def drive(args, env, port, urls, weights, log, found, workers, threads):
    """Start gunicorn, check every URL once, run the clients, stop gunicorn."""
    process = gunicorn_start(
        ["-c", "gunicorn.conf.py", "ministerial.wsgi"], env=env, port=port, log=log, seconds=30
    )
    try:
        # Every URL once, so a broken page fails here with its address.
        checker = Client(port, timeout=REQUEST_TIMEOUT)
        for paths in urls.values():
            for path in paths:
                answer = checker.get(path)
                if answer.status != 200:
                    raise RuntimeError(
                        f"{path} answered {answer.status or answer.error} before the run"
                    )
        checker.close()
        print(
            f"Running {args.duration:g} s with {args.clients} clients against gunicorn "
            f"({workers} workers x {threads} threads) on {found['database']}…",
            flush=True,
        )
        tallies = [Tally() for _ in range(args.clients)]
        deadline = time.monotonic() + args.duration
        started = time.monotonic()
        clients = [
            threading.Thread(target=client_loop, args=(port, urls, weights, deadline, n, tally))
            for n, tally in enumerate(tallies)
        ]
        for client in clients:
            client.start()
        for client in clients:
            client.join()
        elapsed = time.monotonic() - started
    finally:
        gunicorn_stop(process)
    log.seek(0)
    return tallies, elapsed, log.read()


def run(args) -> int:
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith("postgres"):
        print("warning: DATABASE_URL is not PostgreSQL; the figures will not be representative")
    port = free_port()
    env = production_env(GUNICORN_BIND=f"127.0.0.1:{port}")
    env.setdefault("ALLOW_SAMPLE_DATA", "1")
    data = prepare_database(env)
    found = json.loads(
        subprocess.run(
            [PYTHON, "-m", "bench.load", "--discover"],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.splitlines()[-1]
    )
    urls = {family: paths for family, paths in found["urls"].items() if paths}
    weights = {family: FAMILIES[family] for family in urls}
    for family in FAMILIES:
        if family not in urls:
            print(f"note: no {family} page to request in this build")
    for path in found["not_built"]:
        print(f"note: {path} is not built yet, left out")
    workers, threads = gunicorn_shape(env)
    load_before = os.getloadavg()[0]

    with tempfile.TemporaryFile("w+", prefix="load-gunicorn-") as log:
        tallies, elapsed, server_log = drive(
            args, env, port, urls, weights, log, found, workers, threads
        )

    rows = []
    everything, total_errors = [], 0
    for family in urls:
        values = sorted(v for t in tallies for v in t.latencies.get(family, []))
        errors = sum(t.errors.get(family, 0) for t in tallies)
        everything.extend(values)
        total_errors += errors
        rows.append((family, values, errors))
    everything.sort()
    rows.append(("all", everything, total_errors))

    table = [
        "| Page | Requests | Requests/s | p50 ms | p95 ms | p99 ms | Errors |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, values, errors in rows:
        table.append(
            f"| {name} | {len(values)} | {len(values) / elapsed:.1f} | "
            f"{percentile(values, 50):.1f} | {percentile(values, 95):.1f} | "
            f"{percentile(values, 99):.1f} | {errors} |"
        )
    print("\n".join(table))
    samples = [s for t in tallies for s in t.samples][:10]
    for sample in samples:
        print("error:", sample)
    retried = sum(t.retried for t in tallies)
    if retried:
        print(
            f"{retried} request(s) sent again on a new connection: the server had closed "
            "the kept-alive one before reading them (what a browser does too)"
        )
    tracebacks = server_log.count("Traceback")
    if tracebacks:
        print(f"the server logged {tracebacks} traceback(s):")
        print(server_log[-4000:])
    rate = len(everything) / elapsed
    print(
        f"{len(everything)} requests in {elapsed:.1f} s: {rate:.1f} requests/s, "
        f"p50 {percentile(everything, 50):.1f} ms, p95 {percentile(everything, 95):.1f} ms, "
        f"p99 {percentile(everything, 99):.1f} ms, {total_errors} errors"
    )

    if args.write_benchmarks:
        command = (
            f"DATABASE_URL={public_database_url(database_url)} .venv/bin/python bench/load.py "
            f"--duration {args.duration:g} --clients {args.clients} --write-benchmarks"
        )
        write_benchmarks(
            table,
            command=command,
            context={
                "date": datetime.date.today().isoformat(),
                "machine": machine(),
                "database": found["database"],
                "server": f"gunicorn {workers} workers x {threads} threads (gthread)",
                "data": data,
                "python": platform.python_version(),
                "load_before": load_before,
                "mix": ", ".join(
                    f"{f} {100 * w / sum(weights.values()):.0f}%" for f, w in weights.items()
                ),
                "not_built": found["not_built"],
            },
        )
        print(f"Wrote the figures to {BENCHMARKS.relative_to(ROOT)}")

    if not everything:
        print("no request completed")
        return 1
    return 1 if total_errors or tracebacks else 0


def write_benchmarks(table, *, command, context):
    section = [
        f"Measured on {context['date']}: {context['machine']}; {context['database']} and "
        f"{context['server']} on loopback, Python {context['python']}, {context['data']}.",
        "The client and the server share the machine; its load average (1 min) was "
        f"{context['load_before']:.1f} just before the run.",
        "",
        f"Request mix (share of requests, URLs picked at random in each family): {context['mix']}.",
        "",
        *table,
        "",
    ]
    if context["not_built"]:
        section += [
            "Not measured, not built at the time: "
            + ", ".join(f"`{p}`" for p in context["not_built"])
            + ".",
            "",
        ]
    section += ["Reproduce with:", "", "```sh", command, "```"]
    write_section(BEGIN, END, "Load test", "\n".join(section))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=60, help="seconds (default 60)")
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients (default 50)")
    parser.add_argument(
        "--write-benchmarks",
        action="store_true",
        help="write the figures and the command into BENCHMARKS.md",
    )
    parser.add_argument("--discover", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--seed-fallback", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.discover:
        print(json.dumps(discover()))
        return 0
    if args.seed_fallback:
        seed_fallback()
        return 0
    if args.duration <= 0 or args.clients <= 0:
        parser.error("--duration and --clients must be positive")
    try:
        return run(args)
    except RuntimeError as error:
        print(f"The load test could not run: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
