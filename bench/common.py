"""What the scale benchmark (run.py), the load test (load.py) and the jobs they run inside
Django (django_tasks.py) share: paths, the environment of a production-mode server,
``manage.py``, gunicorn, a keep-alive HTTP client, percentiles, a description of the
machine and the sections they write into BENCHMARKS.md.

Only the standard library; nothing here configures Django but ``django_setup``.
"""

from __future__ import annotations

import http.client
import math
import os
import platform
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, NamedTuple

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = ROOT / "BENCHMARKS.md"
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))
HEALTH = "/healthz"


# --- the machine -----------------------------------------------------------------------


def machine() -> str:
    """ "2 CPU (AMD EPYC …), 24 GiB RAM, Linux 6.1": what the figures were measured on."""
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text()
        model = re.search(r"model name\s*:\s*(.+)", cpuinfo).group(1).strip()
    except (OSError, AttributeError):
        model = platform.processor() or "unknown CPU"
    memory = ""
    try:
        kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        memory = f", {kb / 1024 / 1024:.0f} GiB RAM"
    except (OSError, AttributeError):
        pass
    return f"{os.cpu_count()} CPU ({model}){memory}, {platform.system()} {platform.release()}"


def load_average() -> str:
    """The 1, 5 and 15 minute load averages, as the kernel shows them."""
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def free_port() -> int:
    """A loopback TCP port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- figures ---------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile: the smallest value with at least ``p`` % of the values at
    or below it (NaN when there is none)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


# --- the app in production mode ----------------------------------------------------------


def production_env(database_url: str | None = None, **extra: str) -> dict[str, str]:
    """This process's environment with the app's production settings (DEBUG off, a fresh
    secret key) on plain-HTTP loopback, ``DATABASE_URL`` if given, then ``extra``."""
    env = dict(os.environ)
    env.update(
        {
            "DEBUG": "0",
            "SECRET_KEY": "bench-" + secrets.token_urlsafe(32),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_HSTS_SECONDS": "0",
            "SESSION_COOKIE_SECURE": "0",
            "CSRF_COOKIE_SECURE": "0",
            "PYTHONUNBUFFERED": "1",
        }
    )
    if database_url is not None:
        env["DATABASE_URL"] = database_url
    env.update(extra)
    return env


def manage(env: dict[str, str], *args: str) -> str:
    """Run ``manage.py *args`` with ``env`` and return what it printed. On failure its
    output goes to standard error and RuntimeError is raised."""
    result = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise RuntimeError(f"manage.py {' '.join(args)} failed")
    return result.stdout


def django_setup() -> None:
    """Configure Django in this process (for the jobs that run inside it)."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ministerial.settings")
    import django

    django.setup()


# --- gunicorn ---------------------------------------------------------------------------


def gunicorn_start(
    args: list[str],
    *,
    env: dict[str, str],
    port: int,
    log: IO,
    ready: Callable[[subprocess.Popen], bool] = lambda process: True,
    seconds: float = 60,
) -> subprocess.Popen:
    """Start ``gunicorn *args`` in a session of its own, its output into ``log``, and
    return once it answers 200 on ``/healthz`` at ``port`` and ``ready(process)`` holds.
    Raises RuntimeError (with gunicorn stopped) if it exits or does not get there."""
    process = subprocess.Popen(
        [GUNICORN, *args],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited while starting (see {getattr(log, 'name', '')})")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", HEALTH)
            status = conn.getresponse().status
            conn.close()
            if status == 200 and ready(process):
                return process
        except OSError:
            pass
        time.sleep(0.2)
    gunicorn_stop(process)
    raise RuntimeError(f"gunicorn did not answer {HEALTH} on port {port} within {seconds:g} s")


def gunicorn_stop(process: subprocess.Popen) -> None:
    """Stop gunicorn and its workers: TERM (running requests finish), KILL after 30 s."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


# --- HTTP -------------------------------------------------------------------------------


class Answer(NamedTuple):
    status: int  # 0 when no answer came
    seconds: float  # from sending the request to the last byte of the answer
    size: int
    error: str = ""  # the exception's name when no answer came
    retried: bool = False  # sent again on a new connection (see Client.get)


# The server closed a kept-alive connection before it read the request: no byte of an
# answer came, so the request was not served and a GET can be sent again.
STALE_CONNECTION_ERRORS = (
    http.client.RemoteDisconnected,
    BrokenPipeError,
    ConnectionResetError,
    ConnectionAbortedError,
)


class _NoAnswer(Exception):
    """The connection closed before the status line of an answer."""

    def __init__(self, name: str):
        super().__init__(name)
        self.name = name


class Client:
    """One keep-alive connection to the app on loopback. Follows no redirect, reads every
    body in full, and opens a new connection when the server closes one or a request
    fails.

    Like a browser (and RFC 9112 section 9.3.1), a GET that fails on a connection that
    has served a request before, with the connection closed before any byte of an answer,
    is sent once more on a new connection: the server may close an idle kept-alive
    connection just as the next request leaves. The answer says so (``retried``), and a
    failure on a new connection is never retried."""

    def __init__(self, port: int, *, cookie: str = "", timeout: float = 600):
        self.port = port
        self.cookie = cookie
        self.timeout = timeout
        self.conn: http.client.HTTPConnection | None = None
        self.reused = False  # the connection has served a request already

    def get(self, path: str) -> Answer:
        started = time.perf_counter()
        stale = self.reused
        try:
            return self._send(path, started)
        except _NoAnswer as exc:
            self.close()
            if not stale:
                return Answer(0, time.perf_counter() - started, 0, exc.name)
        except (OSError, http.client.HTTPException) as exc:
            self.close()
            return Answer(0, time.perf_counter() - started, 0, type(exc).__name__)
        try:
            return self._send(path, started)._replace(retried=True)
        except (_NoAnswer, OSError, http.client.HTTPException) as exc:
            self.close()
            name = exc.name if isinstance(exc, _NoAnswer) else type(exc).__name__
            return Answer(0, time.perf_counter() - started, 0, name, retried=True)

    def _send(self, path: str, started: float) -> Answer:
        headers = {"Cookie": self.cookie} if self.cookie else {}
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        try:
            self.conn.request("GET", path, headers=headers)
            response = self.conn.getresponse()
        except STALE_CONNECTION_ERRORS as exc:
            raise _NoAnswer(type(exc).__name__) from exc
        body = response.read()
        elapsed = time.perf_counter() - started
        if response.will_close:
            self.close()
        else:
            self.reused = True
        return Answer(response.status, elapsed, len(body))

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None
        self.reused = False


# --- BENCHMARKS.md ----------------------------------------------------------------------


def write_section(begin: str, end: str, heading: str, body: str) -> None:
    """Put ``body`` between the ``begin`` and ``end`` markers of BENCHMARKS.md, replacing
    what was there; without the markers, right under ``## heading`` (added at the end
    when missing)."""
    block = f"{begin}\n{body}\n{end}"
    text = BENCHMARKS.read_text() if BENCHMARKS.exists() else "# Benchmarks\n"
    title = f"\n## {heading}\n"
    if begin in text and end in text:
        text = text[: text.index(begin)] + block + text[text.index(end) + len(end) :]
    elif title in text:
        head, tail = text.split(title, 1)
        text = head + title + "\n" + block + "\n" + tail
    else:
        text = text.rstrip("\n") + "\n" + title + "\n" + block + "\n"
    BENCHMARKS.write_text(text)
