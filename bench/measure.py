"""How the scale benchmark measures: gunicorn servers it can watch (their workers' memory
and CPU, read from /proc), threaded keep-alive clients, paired rounds, admin sign-in and
streamed downloads."""

from __future__ import annotations

import http.client
import math
import re
import subprocess
import tempfile
import threading
import time
import urllib.parse
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path

from bench.common import (
    ROOT,
    Client,
    free_port,
    gunicorn_start,
    gunicorn_stop,
    ms,
    percentile,
)
from bench.datasets import app_env

# --- the workers, from /proc ----------------------------------------------------------------


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


# --- gunicorn ---------------------------------------------------------------------------


@dataclass
class Server:
    """A gunicorn (gthread) serving the app against the database at ``url`` on a free
    loopback port, with every setting on its command line (none from gunicorn.conf.py);
    its log goes to bench-results/."""

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
            "ministerial.wsgi",
            "--config=/dev/null",
            f"--bind=127.0.0.1:{self.port}",
            "--worker-class=gthread",
            f"--workers={self.workers}",
            f"--threads={self.threads}",
            "--timeout=120",
            "--keep-alive=5",
            "--max-requests=0",
        ]
        with self.log.open("w") as log:
            self.process = gunicorn_start(
                command,
                env=app_env(self.url),
                port=self.port,
                log=log,
                ready=lambda process: len(children_of(process.pid)) >= self.workers,
            )
        return self

    def worker_pids(self) -> list[int]:
        return children_of(self.process.pid) if self.process else []

    def stop(self) -> None:
        if self.process:
            gunicorn_stop(self.process)


@contextmanager
def serving(url: str, workers: int, threads: int):
    server = Server(url, workers, threads).start()
    try:
        yield server
    finally:
        server.stop()


# --- clients ----------------------------------------------------------------------------


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
        client = Client(port, cookie=cookie)
        for _ in range(warmup):
            client.get(path)
        start_gate.wait()
        done, deadline = 0, time.perf_counter() + (duration or 0)
        while (requests is not None and done < requests) or (
            duration is not None and time.perf_counter() < deadline
        ):
            status, elapsed, *_ = client.get(path)
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
    # Rows and columns of a spreadsheet (counted in the file), or None for a CSV.
    shape: tuple[int, int] | None = None

    @property
    def ok(self) -> bool:
        return self.status == 200 and (self.shape is None or self.shape[0] >= 0)

    @property
    def rows(self) -> int:
        """The data rows: of the sheet, or the CSV's lines but its header."""
        return self.shape[0] if self.shape else self.lines - 1

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else math.nan

    def describe(self) -> str:
        if not self.ok:
            return f"HTTP {self.status}" if self.status else "no answer"
        return (
            f"{self.rows:,} rows, {self.bytes / 1e6:.0f} MB in {self.seconds:.1f} s, "
            f"first byte {ms(self.first_byte)}"
        )


def xlsx_shape(file) -> tuple[int, int]:
    """The data rows of a workbook's first sheet (its header row left out) and the
    header's columns, counted in the sheet's XML as it is decompressed, never the whole
    sheet in memory. ``(-1, 0)`` when ``file`` is no workbook."""
    end = b"</row>"
    rows, columns, carry = 0, 0, b""
    try:
        with zipfile.ZipFile(file) as workbook:
            sheets = [n for n in workbook.namelist() if n.startswith("xl/worksheets/sheet")]
            with workbook.open(min(sheets)) as xml:
                while block := xml.read(1 << 20):
                    if not rows and end in block:
                        columns = len(re.findall(rb"<c[ >]", block[: block.index(end)]))
                    text = carry + block
                    rows += text.count(end)
                    carry = text[-(len(end) - 1) :]  # an end tag cut between two blocks
    except (OSError, ValueError, zipfile.BadZipFile):
        return -1, 0
    return rows - 1, columns


def download(
    server: Server,
    path: str,
    *,
    watch_rss: bool = False,
    abort: threading.Event | None = None,
    spreadsheet: bool = False,
) -> Download:
    """Stream one export as fast as it comes, sampling the workers' RSS meanwhile.
    With ``abort``, hang up as soon as it is set (the result then counts what came).
    With ``spreadsheet``, the file is kept on disk until its rows are counted (after
    the timing)."""
    result = Download()
    # Closed (and so removed) once its rows are counted, below.
    kept = tempfile.TemporaryFile(dir=ROOT / "bench-results") if spreadsheet else None  # noqa: SIM115
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
        if kept:
            kept.write(first)
        while chunk := response.read1(1 << 20):
            result.bytes += len(chunk)
            result.lines += chunk.count(b"\n")
            if kept:
                kept.write(chunk)
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
    if kept:
        with kept:
            result.shape = xlsx_shape(kept) if result.status == 200 else None
    return result


def list_with_and_without_exports(
    server: Server, path: str, export: str, *, rounds: int, requests: int
):
    """List page latency without any export, then while full exports (``export``) stream
    one after the other (each hung up on when its round ends), round after round."""
    calm, busy, exports = Sample(path), Sample(path), []
    for _ in range(rounds):
        calm.absorb(hammer(server.port, path, clients=4, requests=requests))
        done = threading.Event()

        def keep_exporting(done=done):
            while not done.is_set():
                exports.append(download(server, export, abort=done))

        exporter = threading.Thread(target=keep_exporting)
        exporter.start()
        time.sleep(1.0)  # let the export get going
        busy.absorb(hammer(server.port, path, clients=4, requests=requests))
        done.set()
        exporter.join()
    return calm, busy, exports
