#!/usr/bin/env python3
"""Scale benchmark (`make bench`): the same app on a small and a large data set.

    .venv/bin/python bench/run.py [--quick] [--keep] [--reseed] [--pg-url URL]

It creates two PostgreSQL databases (h_bench_small, h_bench_large by default), migrates
them and fills them with `seed_synthetic`: 1k follow-ups for the small one; 100k items,
1M follow-ups and 3M progress updates for the large one (--quick: 10k, 100k, 300k).
A database already seeded with the same parameters is reused (--reseed to start over);
both are dropped at the end unless --keep. Then it serves each with gunicorn (gthread,
DEBUG off, on a free loopback port), measures with a small threaded keep-alive HTTP
client, and prints one table of ratios measured in this run, each with its raw
figures, which it also writes into BENCHMARKS.md under "Scale benchmark".

This is a benchmark, not a test: it reports a missed target and exits 0. It exits 1
only if it could not run (no PostgreSQL, a server that does not start).

django-import-export (ratio 5) is installed into .venv/bench-deps at run time and put
on the path of one subprocess only; it is not a dependency of the app.
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import json
import math
import os
import platform
import re
import secrets
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = ROOT / "BENCHMARKS.md"
BEGIN, END = "<!-- scale-benchmark:begin -->", "<!-- scale-benchmark:end -->"
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).parent / "gunicorn")
DEPS = ROOT / ".venv" / "bench-deps"
IMPORT_EXPORT = [
    "django-import-export==4.4.3",
    "tablib==3.10.0",
    "diff-match-patch==20241021",
]

SIZES = {
    "small": {"recommendations": 100, "follow_ups": 1_000, "updates": 3_000},
    "large": {"recommendations": 100_000, "follow_ups": 1_000_000, "updates": 3_000_000},
    "quick": {"recommendations": 10_000, "follow_ups": 100_000, "updates": 300_000},
}
SEED = 1
DELEGATIONS = 196

LIST_FILTERS = [
    ("none", "/recommendations/"),
    ("theme", "/recommendations/?theme=ieds"),
    ("q", "/recommendations/?q=medical+evacuation"),
    ("delegation+status", "/recommendations/?delegation=PAK&status=in_progress"),
    ("as_of", "/recommendations/?as_of=2024-06-30"),
]
ADMIN_LISTS = [
    ("items", "/admin/recommendations/recommendation/"),
    ("follow-ups", "/admin/recommendations/followup/"),
]
FOLLOW_UPS_PAGE = "/follow-ups/?page={}"
EXPORT_ALL = "/follow-ups/export.csv?meeting=synthetic"
# One session of ten: about a tenth of the synthetic follow-ups.
EXPORT_TENTH = "/follow-ups/export.csv?meeting=synthetic&session=D1S1"
TRIVIAL = "/healthz"


# --- machine and process helpers -----------------------------------------------------


def machine() -> str:
    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
    return (
        f"{os.cpu_count()} CPU ({cpu}), {mem_kb / 1024 / 1024:.0f} GiB RAM, "
        f"Linux {platform.release()}, Python {platform.python_version()}"
    )


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name may contain spaces; fields after ")" are space-separated.
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return sorted(found)


def rss_kb(pid: int) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    match = re.search(r"VmRSS:\s+(\d+)", status)
    return int(match.group(1)) if match else 0


def cpu_ticks(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])  # utime + stime


def percentile(values: list[float], p: float) -> float:
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


# --- databases -----------------------------------------------------------------------


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


def app_env(url: str, **extra) -> dict:
    """Production settings (DEBUG off) on plain-HTTP loopback."""
    env = dict(os.environ)
    env.update(
        {
            "DEBUG": "0",
            "SECRET_KEY": "bench-" + secrets.token_urlsafe(32),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": url,
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_HSTS_SECONDS": "0",
            "SESSION_COOKIE_SECURE": "0",
            "CSRF_COOKIE_SECURE": "0",
            "EMAIL_CONSOLE": "1",
            "LOG_LEVEL": "WARNING",
            "ALLOW_SAMPLE_DATA": "0",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(extra)
    return env


def manage(url: str, *args: str) -> None:
    # The development tools (seed_synthetic) are installed for these commands only, not
    # in the servers measured.
    env = app_env(url, TRACKER_DEVTOOLS="1")
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)


def task(url: str, *args: str, **extra_env) -> dict:
    out = subprocess.run(
        [PYTHON, str(ROOT / "bench" / "django_tasks.py"), *args],
        cwd=ROOT,
        env=app_env(url, TRACKER_DEVTOOLS="1", **extra_env),
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def prepare(base: str, name: str, size: dict, reseed: bool, password: str) -> tuple[str, str]:
    """Create, migrate and seed one database unless it already holds this data set.
    Returns its URL and what was done."""
    url = db_url(base, name)
    wanted = {**size, "delegations": DELEGATIONS, "seed": SEED}
    if reseed and database_exists(base, name):
        admin_execute(base, f'DROP DATABASE "{name}" WITH (FORCE)')
    if not database_exists(base, name):
        admin_execute(base, f'CREATE DATABASE "{name}"')
    manage(url, "migrate", "--noinput", "-v0")
    have = task(url, "params")["params"]
    if have and all(have.get(k) == v for k, v in wanted.items()):
        done = "reused"
    else:
        if have is not None:  # another data set: dropping is faster than deleting it
            admin_execute(base, f'DROP DATABASE "{name}" WITH (FORCE)')
            admin_execute(base, f'CREATE DATABASE "{name}"')
            manage(url, "migrate", "--noinput", "-v0")
        started = time.monotonic()
        manage(
            url,
            "seed_synthetic",
            f"--recommendations={size['recommendations']}",
            f"--follow-ups={size['follow_ups']}",
            f"--updates={size['updates']}",
            f"--delegations={DELEGATIONS}",
            f"--seed={SEED}",
        )
        done = f"seeded in {time.monotonic() - started:.0f} s"
    task(url, "superuser", "bench", BENCH_PASSWORD=password)
    return url, done


# --- gunicorn ------------------------------------------------------------------------


@dataclass
class Server:
    url: str
    workers: int
    threads: int
    port: int = 0
    process: subprocess.Popen | None = None
    log: Path | None = None

    def start(self) -> Server:
        self.port = free_port()
        self.log = ROOT / "bench-results" / f"gunicorn-{self.port}.log"
        self.log.parent.mkdir(exist_ok=True)
        command = [
            GUNICORN,
            "ministerial.wsgi",
            "--config=/dev/null",  # every setting below, nothing from gunicorn.conf.py
            f"--bind=127.0.0.1:{self.port}",
            "--worker-class=gthread",
            f"--workers={self.workers}",
            f"--threads={self.threads}",
            "--timeout=120",
            "--keep-alive=5",
            "--max-requests=0",
        ]
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=app_env(self.url),
            stdout=subprocess.DEVNULL,
            stderr=self.log.open("w"),
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.log}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/")
                conn.getresponse().read()
                conn.close()
                if len(self.worker_pids()) >= self.workers:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer on port {self.port}; see {self.log}")

    def worker_pids(self) -> list[int]:
        return children_of(self.process.pid) if self.process else []

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


@contextmanager
def serving(url: str, workers: int, threads: int):
    server = Server(url, workers, threads).start()
    try:
        yield server
    finally:
        server.stop()


# --- HTTP client ---------------------------------------------------------------------


class Client:
    """One keep-alive connection; follows no redirects, reads every body in full."""

    def __init__(self, port: int, cookie: str = ""):
        self.port = port
        self.cookie = cookie
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)

    def get(self, path: str) -> tuple[int, float, int]:
        headers = {"Cookie": self.cookie} if self.cookie else {}
        started = time.perf_counter()
        try:
            self.conn.request("GET", path, headers=headers)
            response = self.conn.getresponse()
            body = response.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
            return 0, time.perf_counter() - started, 0
        elapsed = time.perf_counter() - started
        if response.will_close:
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
        return response.status, elapsed, len(body)

    def close(self):
        self.conn.close()


@dataclass
class Sample:
    path: str
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return bool(self.latencies) and set(self.statuses) == {200}

    def absorb(self, other: Sample) -> None:
        self.latencies += other.latencies
        for status, count in other.statuses.items():
            self.statuses[status] = self.statuses.get(status, 0) + count
        self.seconds += other.seconds

    @property
    def p95(self) -> float:
        return percentile(self.latencies, 95)

    @property
    def rps(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else math.nan

    def describe(self) -> str:
        if not self.latencies:
            return "no answer"
        if not self.ok:
            return "HTTP " + ", ".join(f"{s}×{n}" for s, n in sorted(self.statuses.items()))
        p50 = percentile(self.latencies, 50)
        return f"p95 {ms(self.p95)} (p50 {ms(p50)}, n={len(self.latencies)})"


def hammer(
    port: int,
    path: str,
    *,
    clients: int,
    requests: int | None = None,
    duration: float | None = None,
    cookie: str = "",
    warmup: int = 1,
) -> Sample:
    """``clients`` threads, each on its own connection, send ``requests`` requests each
    (or for ``duration`` seconds), one after the other; latency is send to last byte."""
    sample = Sample(path)
    lock = threading.Lock()
    start_gate = threading.Barrier(clients + 1)

    def run():
        client = Client(port, cookie)
        for _ in range(warmup):
            client.get(path)
        start_gate.wait()
        done, deadline = 0, time.perf_counter() + (duration or 0)
        while (requests is not None and done < requests) or (
            duration is not None and time.perf_counter() < deadline
        ):
            status, elapsed, _ = client.get(path)
            done += 1
            with lock:
                sample.latencies.append(elapsed)
                sample.statuses[status] = sample.statuses.get(status, 0) + 1
        client.close()

    threads = [threading.Thread(target=run) for _ in range(clients)]
    for t in threads:
        t.start()
    start_gate.wait()
    started = time.perf_counter()
    for t in threads:
        t.join()
    sample.seconds = time.perf_counter() - started
    return sample


def paired(jobs: list[tuple[int, str, str]], *, rounds: int, **how) -> list[Sample]:
    """Measure each job ``(port, path, cookie)`` in turn, round after round, and merge
    each job's rounds: the two sides of a ratio are measured seconds apart, never minutes,
    so a change in the machine's load falls on both alike."""
    samples = [Sample(path) for _, path, _ in jobs]
    for _ in range(rounds):
        for sample, (port, path, cookie) in zip(samples, jobs, strict=True):
            sample.absorb(hammer(port, path, clients=4, cookie=cookie, **how))
    return samples


def showing(port: int, path: str) -> str:
    """The page's own account of which rows it shows ("Showing 9,981–10,000 …")."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    try:
        conn.request("GET", path)
        page = conn.getresponse().read().decode("utf-8", "replace")
    except (OSError, http.client.HTTPException):
        return ""
    finally:
        conn.close()
    match = re.search(r"Showing\s+[\d,.\u202f\xa0]+\s*[–-]\s*[\d,.\u202f\xa0]+[^<]*", page)
    return " ".join(match.group(0).split()) if match else ""


def admin_login(port: int, password: str) -> str:
    """Sign in through the admin login form; returns the Cookie header to send."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", "/admin/login/?next=/admin/")
    response = conn.getresponse()
    page = response.read().decode("utf-8", "replace")
    jar = SimpleCookie()
    for header in response.headers.get_all("Set-Cookie") or []:
        jar.load(header)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if response.status != 200 or not token or "csrftoken" not in jar:
        conn.close()
        return ""
    body = urllib.parse.urlencode(
        {
            "csrfmiddlewaretoken": token.group(1),
            "username": "bench",
            "password": password,
            "next": "/admin/",
        }
    )
    conn.request(
        "POST",
        "/admin/login/?next=/admin/",
        body=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={jar['csrftoken'].value}",
            "Referer": f"http://127.0.0.1:{port}/admin/login/",
        },
    )
    response = conn.getresponse()
    response.read()
    for header in response.headers.get_all("Set-Cookie") or []:
        jar.load(header)
    conn.close()
    if response.status != 302 or "sessionid" not in jar:
        return ""
    return "; ".join(f"{k}={v.value}" for k, v in jar.items())


@dataclass
class Download:
    status: int = 0
    first_byte: float = math.nan
    seconds: float = math.nan
    bytes: int = 0
    lines: int = 0
    peak_rss_kb: int = 0
    rss_before_kb: int = 0
    worker: int = 0
    aborted: bool = False

    @property
    def ok(self) -> bool:
        return self.status == 200

    def describe(self) -> str:
        if not self.ok:
            return f"HTTP {self.status}" if self.status else "no answer"
        return (
            f"{self.lines - 1:,} rows, {self.bytes / 1e6:.0f} MB in {self.seconds:.1f} s, "
            f"first byte {ms(self.first_byte)}"
        )


def download(
    server: Server, path: str, *, watch_rss: bool = False, abort: threading.Event | None = None
) -> Download:
    """Stream one export as fast as it comes, sampling the workers' RSS meanwhile.
    With ``abort``, hang up as soon as it is set (the result then counts what came)."""
    result = Download()
    pids = server.worker_pids()
    before_rss = {pid: rss_kb(pid) for pid in pids}
    before_cpu = {pid: cpu_ticks(pid) for pid in pids}
    peaks = dict(before_rss)
    stop = threading.Event()

    def sample_rss():
        while not stop.is_set():
            for pid in pids:
                peaks[pid] = max(peaks[pid], rss_kb(pid))
            stop.wait(0.01)

    sampler = threading.Thread(target=sample_rss)
    if watch_rss:
        sampler.start()
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=600)
    started = time.perf_counter()
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        result.status = response.status
        first = response.read1(65536)
        result.first_byte = time.perf_counter() - started
        result.bytes, result.lines = len(first), first.count(b"\n")
        while chunk := response.read1(1 << 20):
            result.bytes += len(chunk)
            result.lines += chunk.count(b"\n")
            if abort is not None and abort.is_set():
                result.aborted = True
                break
        result.seconds = time.perf_counter() - started
    except (OSError, http.client.HTTPException):
        result.status = 0
    finally:
        conn.close()
        stop.set()
        if watch_rss:
            sampler.join()
    if watch_rss and pids:
        # The worker that served the export is the one that burnt the CPU.
        served = max(pids, key=lambda pid: cpu_ticks(pid) - before_cpu[pid])
        result.worker = served
        result.peak_rss_kb = peaks[served]
        result.rss_before_kb = before_rss[served]
    return result


def list_with_and_without_exports(server: Server, path: str, *, rounds: int, requests: int):
    """List page latency without any export, then while full exports stream one after
    the other (each hung up on when its round ends), round after round."""
    calm, busy, exports = Sample(path), Sample(path), []
    for _ in range(rounds):
        calm.absorb(hammer(server.port, path, clients=4, requests=requests))
        done = threading.Event()

        def keep_exporting(done=done):
            while not done.is_set():
                exports.append(download(server, EXPORT_ALL, abort=done))

        exporter = threading.Thread(target=keep_exporting)
        exporter.start()
        time.sleep(1.0)  # let the export get going
        busy.absorb(hammer(server.port, path, clients=4, requests=requests))
        done.set()
        exporter.join()
    return calm, busy, exports


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
    if (DEPS / "import_export").is_dir():
        return
    subprocess.run(
        [PYTHON, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(DEPS)]
        + IMPORT_EXPORT,
        check=True,
    )


# --- the run -------------------------------------------------------------------------


@dataclass
class Row:
    number: int
    name: str
    value: float | None
    target: str
    raw: str
    unit: str = ""
    why_missing: str = ""

    def met(self) -> str:
        if self.value is None or math.isnan(self.value):
            return "not measured"
        op, limit = self.target.split(" ")
        limit = float(limit.replace("MB", ""))
        ok = self.value <= limit if op == "≤" else self.value >= limit
        return "yes" if ok else "**no**"

    def shown(self) -> str:
        if self.value is None or math.isnan(self.value):
            return "—"
        if self.unit == "MB":
            return f"{self.value:.1f} MB"
        # Enough digits that a value just past its target does not read as on it.
        return f"{self.value:.2f}" if self.value >= 1 else f"{self.value:.3g}"


def ratio(a: float, b: float) -> float | None:
    if a is None or b is None or math.isnan(a) or math.isnan(b) or b == 0:
        return None
    return a / b


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
    manage(urls["small"], "collectstatic", "--noinput", "-v0")

    lists: dict[str, dict[str, Sample]] = {"small": {}, "large": {}}
    admins: dict[str, dict[str, Sample]] = {"small": {}, "large": {}}
    extra: dict[str, object] = {}
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
                large, LIST_FILTERS[0][1], rounds=rounds, requests=per_round["requests"]
            )
        extra["list without export"], extra["list during export"] = calm, busy
        extra["exports during"] = exports
        log(f"list without export: {calm.describe()}; during: {busy.describe()}")

    # Memory: a server of one worker, so the export is served by a known process.
    with serving(urls["large"], 1, args.threads) as server:
        hammer(server.port, LIST_FILTERS[0][1], clients=2, requests=5)
        extra["export tenth"] = download(server, EXPORT_TENTH, watch_rss=True)
        extra["export rss"] = download(server, EXPORT_ALL, watch_rss=True)
        log(f"RSS 100k: {extra['export tenth'].describe()}")
        log(f"RSS 1M: {extra['export rss'].describe()}")

    if not args.skip_import_export and statement.get("status") == 200:
        log("django-import-export export of the same rows (this takes a while)…")
        ensure_import_export()
        extra["import-export"] = task(
            urls["large"], "import-export", "meeting=synthetic", PYTHONPATH=str(DEPS)
        )
        log(f"django-import-export: {extra['import-export']}")

    rows = table(lists, admins, extra, large_size["follow_ups"])
    if not args.keep:
        for name in names.values():
            admin_execute(args.pg_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return rows, extra


def short(n: int) -> str:
    return f"{n // 1_000_000}M" if n >= 1_000_000 else f"{n // 1_000}k"


def table(lists, admins, extra, all_rows: int) -> list[Row]:
    rows = []
    for label, _ in LIST_FILTERS:
        large, small = lists["large"][label], lists["small"][label]
        ok = large.ok and small.ok
        rows.append(
            Row(
                1,
                f"list page p95, large / small, filter: {label}",
                ratio(large.p95, small.p95) if ok else None,
                "≤ 2",
                f"large {large.describe()}; small {small.describe()}",
            )
        )
    for label, _ in ADMIN_LISTS:
        large, small = admins["large"][label], admins["small"][label]
        ok = large.ok and small.ok
        rows.append(
            Row(
                2,
                f"admin changelist p95 ({label}), large / small",
                ratio(large.p95, small.p95) if ok else None,
                "≤ 3",
                f"large {large.describe()}; small {small.describe()}",
            )
        )
    p1, p1000 = extra["page 1"], extra["page 1000"]
    rows.append(
        Row(
            3,
            "follow-ups list page 1,000 / page 1 (p95, large)",
            ratio(p1000.p95, p1.p95) if p1.ok and p1000.ok else None,
            "≤ 2",
            f"page 1,000 {p1000.describe()}"
            + (f" (it says: {extra['page 1000 shows']})" if extra.get("page 1000 shows") else "")
            + f"; page 1 {p1.describe()}",
        )
    )
    export = extra["export"]
    copy = extra.get("copy")
    rows.append(
        Row(
            4,
            "export of all follow-ups over HTTP / raw COPY of the same SELECT",
            ratio(export.seconds, copy[0]) if export.ok and copy else None,
            "≤ 1.5",
            f"over HTTP: {export.describe()}; raw COPY: "
            + (f"{copy[0]:.1f} s, {copy[1] / 1e6:.0f} MB" if copy else "not run")
            + " (alternately, best of two each)",
        )
    )
    ie = extra.get("import-export") or {}
    rows.append(
        Row(
            5,
            "the same export / django-import-export's export of the same rows",
            ratio(export.seconds, ie.get("seconds")) if export.ok and ie.get("seconds") else None,
            "≤ 0.1",
            (f"export {export.seconds:.1f} s" if export.ok else f"export {export.describe()}")
            + "; django-import-export 4.4.3 "
            + (
                f"{ie['seconds']:.1f} s for {ie['rows']:,} rows" if ie.get("seconds") else "not run"
            ),
        )
    )
    big, tenth = extra["export rss"], extra["export tenth"]
    delta = (big.peak_rss_kb - tenth.peak_rss_kb) / 1024 if big.ok and tenth.ok else None
    rows.append(
        Row(
            6,
            f"peak RSS of the serving worker, {short(all_rows)}-row export − "
            f"{short(all_rows // 10)}-row export",
            delta,
            "≤ 10MB",
            (
                f"{big.lines - 1:,} rows: peak {big.peak_rss_kb / 1024:.0f} MB "
                f"(before {big.rss_before_kb / 1024:.0f} MB); "
                f"{tenth.lines - 1:,} rows: peak {tenth.peak_rss_kb / 1024:.0f} MB "
                f"(before {tenth.rss_before_kb / 1024:.0f} MB)"
            )
            if big.ok and tenth.ok
            else f"export {big.describe()}",
            unit="MB",
        )
    )
    rows.append(
        Row(
            7,
            "export time to first byte / list page p95 (large, no filter)",
            ratio(export.first_byte, lists["large"]["none"].p95)
            if export.ok and lists["large"]["none"].ok
            else None,
            "≤ 2",
            (f"first byte {ms(export.first_byte)}" if export.ok else f"export {export.describe()}")
            + f"; list p95 {ms(lists['large']['none'].p95)}",
        )
    )
    trivial, large_list = extra["trivial rps"], extra["list rps"]
    rows.append(
        Row(
            8,
            "list page requests/s / trivial view requests/s (large, gunicorn)",
            ratio(large_list.rps, trivial.rps) if large_list.ok and trivial.ok else None,
            "≥ 0.25",
            f"list {large_list.rps:.1f}/s ({large_list.describe()}); "
            f"{TRIVIAL} {trivial.rps:.1f}/s ({trivial.describe()}); "
            f"small list {extra['small list rps'].rps:.1f}/s",
        )
    )
    during, calm = extra["list during export"], extra["list without export"]
    exports = extra["exports during"]
    rows.append(
        Row(
            9,
            "list page p95 while an export streams / without (large)",
            ratio(during.p95, calm.p95)
            if during.ok and calm.ok and exports and all(e.ok for e in exports)
            else None,
            "≤ 2",
            (
                f"during {during.describe()} ({len(exports)} export(s) streaming, "
                f"{sum(e.bytes for e in exports) / 1e6:.0f} MB sent); "
                f"without {calm.describe()}"
            )
            if exports
            else "not run: the export did not answer 200",
        )
    )
    return rows


def render(rows: list[Row], args, extra, started: datetime.datetime, loads: tuple) -> str:
    large = SIZES["quick" if args.quick else "large"]
    given = sys.argv[1:]
    command = "make bench" + (f" BENCH_ARGS={shlex.quote(' '.join(given))}" if given else "")
    lines = [
        f"Measured on {started:%Y-%m-%d %H:%M} UTC: {machine()}; PostgreSQL "
        f"{server_version(args.pg_url)}; gunicorn {args.workers} workers × {args.threads} "
        "threads (gthread, DEBUG off) on loopback. Client and server share the machine; "
        f"load average {loads[0]} at the start, {loads[1]} at the end.",
        "",
        f"Data: small = {SIZES['small']['recommendations']:,} items, "
        f"{SIZES['small']['follow_ups']:,} follow-ups, {SIZES['small']['updates']:,} updates; "
        f"large = {large['recommendations']:,} items, {large['follow_ups']:,} follow-ups, "
        f"{large['updates']:,} updates; {DELEGATIONS} delegations, seed {SEED}. "
        f"Latency: 4 clients × {args.requests} requests each (keep-alive, one warm-up request "
        f"each per round), send to last byte; the two sides of each ratio are measured "
        f"alternately in {args.rounds} rounds, both servers running. Throughput: 4 clients, "
        f"{args.duration:.0f} s per URL in the same rounds.",
        "",
        "| # | Ratio | Value | Target | Met? | Raw figures |",
        "| ---: | --- | ---: | --- | --- | --- |",
    ]
    for row in rows:
        lines.append(
            f"| {row.number} | {row.name} | {row.shown()} | {row.target} | {row.met()} | "
            f"{row.raw} |"
        )
    sql = (extra.get("export sql") or {}).get("sql")
    copied = "captured" if sql else "not available: the export did not answer 200"
    lines += [
        "",
        "Exact command:",
        "",
        "```sh",
        command,
        "```",
        "",
        f"Raw COPY ran the statement the app itself sends for `{EXPORT_ALL}` ({copied}).",
    ]
    return "\n".join(lines)


def server_version(base: str) -> str:
    import psycopg

    with psycopg.connect(db_url(base, "postgres")) as conn:
        return conn.execute("SHOW server_version").fetchone()[0]


def write_benchmarks(section: str) -> None:
    block = f"{BEGIN}\n{section}\n{END}"
    text = BENCHMARKS.read_text() if BENCHMARKS.exists() else "# Benchmarks\n"
    if BEGIN in text and END in text:
        text = text[: text.index(BEGIN)] + block + text[text.index(END) + len(END) :]
    else:
        text = text.rstrip() + "\n\n## Scale benchmark\n\n" + block + "\n"
    BENCHMARKS.write_text(text)


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
