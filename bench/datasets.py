"""The scale benchmark's scratch PostgreSQL databases: created, migrated and seeded (or
reused when they hold the data set already), the jobs run inside Django against them, and
the raw ``COPY`` and django-import-export figures the export is compared with."""

from __future__ import annotations

import json
import subprocess
import time
import urllib.parse

from bench.common import PYTHON, ROOT, manage, production_env
from bench.scenario import DELEGATIONS, ROSTER, SEED

DEPS = ROOT / ".venv" / "bench-deps"
IMPORT_EXPORT = [
    "django-import-export==4.4.3",
    "tablib==3.10.0",
    "diff-match-patch==20241021",
]


def app_env(url: str, **extra: str) -> dict[str, str]:
    """The environment of the app against the database at ``url``: production settings,
    console email, quiet logs, no sample data."""
    return production_env(
        url, EMAIL_CONSOLE="1", LOG_LEVEL="WARNING", ALLOW_SAMPLE_DATA="0", **extra
    )


def tools_env(url: str, **extra: str) -> dict[str, str]:
    """``app_env`` with the development tools (seed_synthetic) installed: for the
    commands and jobs that prepare a database, never for the servers measured."""
    return app_env(url, TRACKER_DEVTOOLS="1", **extra)


def db_url(base: str, name: str) -> str:
    parts = urllib.parse.urlsplit(base)
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))


def admin_execute(base: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(db_url(base, "postgres"), autocommit=True) as conn:
        conn.execute(sql)


def database_exists(base: str, name: str) -> bool:
    import psycopg

    with psycopg.connect(db_url(base, "postgres"), autocommit=True) as conn:
        row = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
    return row is not None


def server_version(base: str) -> str:
    import psycopg

    with psycopg.connect(db_url(base, "postgres")) as conn:
        return conn.execute("SHOW server_version").fetchone()[0]


def task(url: str, *args: str, **extra_env: str) -> dict:
    """Run one job of django_tasks.py against ``url``; returns the JSON it printed."""
    out = subprocess.run(
        [PYTHON, "-m", "bench.django_tasks", *args],
        cwd=ROOT,
        env=tools_env(url, **extra_env),
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def prepare(base: str, name: str, size: dict, reseed: bool, password: str) -> tuple[str, str]:
    """Create, migrate and seed one database unless it already holds this data set.
    Returns its URL and what was done."""
    url = db_url(base, name)
    wanted = {**size, "delegations": DELEGATIONS, "roster": ROSTER, "seed": SEED}
    if reseed and database_exists(base, name):
        admin_execute(base, f'DROP DATABASE "{name}" WITH (FORCE)')
    if not database_exists(base, name):
        admin_execute(base, f'CREATE DATABASE "{name}"')
    manage(tools_env(url), "migrate", "--noinput", "-v0")
    have = task(url, "params")["params"]
    if have and all(have.get(k) == v for k, v in wanted.items()):
        done = "reused"
    else:
        if have is not None:  # another data set: dropping is faster than deleting it
            admin_execute(base, f'DROP DATABASE "{name}" WITH (FORCE)')
            admin_execute(base, f'CREATE DATABASE "{name}"')
            manage(tools_env(url), "migrate", "--noinput", "-v0")
        started = time.monotonic()
        manage(
            tools_env(url),
            "seed_synthetic",
            f"--recommendations={size['recommendations']}",
            f"--follow-ups={size['follow_ups']}",
            f"--updates={size['updates']}",
            f"--delegations={DELEGATIONS}",
            f"--roster={ROSTER}",
            f"--seed={SEED}",
        )
        done = f"seeded in {time.monotonic() - started:.0f} s"
    task(url, "superuser", "bench", BENCH_PASSWORD=password)
    return url, done


def raw_copy(url: str, statement: str) -> tuple[float, int]:
    """Run ``statement`` (a SELECT, or the app's own COPY) as COPY … TO STDOUT into a
    null sink, as fast as psycopg can read it. Returns seconds and bytes."""
    import psycopg

    if not statement.lstrip().upper().startswith("COPY"):
        statement = f"COPY ({statement}) TO STDOUT (FORMAT csv)"
    total = 0
    with psycopg.connect(url) as conn, conn.cursor() as cursor:
        cursor.execute("SET statement_timeout = 0")
        started = time.perf_counter()
        with cursor.copy(statement) as copy:
            for data in copy:
                total += len(data)
        return time.perf_counter() - started, total


def ensure_import_export() -> None:
    """Install django-import-export into .venv/bench-deps (not into the app's venv)."""
    if (DEPS / "import_export").is_dir():
        return
    subprocess.run(
        [PYTHON, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(DEPS)]
        + IMPORT_EXPORT,
        check=True,
    )
