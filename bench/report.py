"""The scale benchmark's table: each ratio with its target and raw figures, in Markdown,
and its section of BENCHMARKS.md."""

from __future__ import annotations

import datetime
import math
import platform
import shlex
import sys
from dataclasses import dataclass

from bench.common import machine, ms, write_section
from bench.datasets import server_version
from bench.scenario import (
    ADMIN_LISTS,
    DELEGATIONS,
    EXPORT_ALL,
    LIST_FILTERS,
    MATRIX_FILTERS,
    ROSTER,
    SEED,
    SIZES,
    TRIVIAL,
)

BEGIN, END = "<!-- scale-benchmark:begin -->", "<!-- scale-benchmark:end -->"


@dataclass
class Row:
    number: int
    name: str
    value: float | None
    target: str
    raw: str
    unit: str = ""

    def met(self) -> str:
        if self.value is None or math.isnan(self.value):
            return "not measured"
        if not self.target:
            return "—"  # measured for the record, no target
        op, limit = self.target.split(" ")
        limit = float(limit.removesuffix(self.unit))
        ok = self.value <= limit if op == "≤" else self.value >= limit
        return "yes" if ok else "**no**"

    def shown(self) -> str:
        if self.value is None or math.isnan(self.value):
            return "—"
        if self.unit == "MB":
            return f"{self.value:.1f} MB"
        if self.unit == "s":
            return f"{self.value:.1f} s"
        # Enough digits that a value just past its target does not read as on it.
        return f"{self.value:.2f}" if self.value >= 1 else f"{self.value:.3g}"


def ratio(a: float, b: float) -> float | None:
    if a is None or b is None or math.isnan(a) or math.isnan(b) or b == 0:
        return None
    return a / b


def short(n: int) -> str:
    """1,569,516 as "1.57M", 156,552 as "157k"."""
    if n >= 1_000_000:
        return f"{n / 1e6:.3g}M"
    return f"{n / 1e3:.3g}k" if n >= 1_000 else str(n)


def table(lists, admins, extra) -> list[Row]:
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
            f"peak RSS of the serving worker, {short(big.lines - 1)}-row export − "
            f"{short(tenth.lines - 1)}-row export",
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
    rows += matrix_rows(extra["matrix"]) + spreadsheet_rows(extra["spreadsheets"])
    return rows


def matrix_rows(matrix) -> list[Row]:
    """10: the matrix page at both sizes, as the list pages (ratio 1)."""
    rows = []
    for label, _ in MATRIX_FILTERS:
        large, small = matrix["large"][label], matrix["small"][label]
        rows.append(
            Row(
                10,
                f"matrix page p95 ({ROSTER} roster delegations), large / small, filter: {label}",
                ratio(large.p95, small.p95) if large.ok and small.ok else None,
                "≤ 2",
                f"large {large.describe()}; small {small.describe()}",
            )
        )
    return rows


def _fastest(tries):
    done = [d for d in tries if d.ok]
    return min(done, key=lambda d: d.seconds) if done else tries[0]


def _speed(d) -> str:
    columns = f" × {d.shape[1]} columns" if d.shape else ""
    return (
        f"{d.rows:,} rows{columns} in {d.seconds:.1f} s ({d.rows_per_second:,.0f} rows/s), "
        f"{d.bytes / 1e6:.1f} MB"
    )


def spreadsheet_rows(sheets) -> list[Row]:
    """11 to 13: each XLSX export of a tenth of the large set beside the CSV of the
    same rows, served by the one-worker server: time, time to first byte, memory."""
    speed, first, memory = [], [], []
    for what, tries in sheets.items():
        csv, xlsx = _fastest(tries["csv"]), _fastest(tries["xlsx"])
        ok = csv.ok and xlsx.ok
        same = ok and csv.rows == xlsx.rows
        if not ok:
            raw = f"XLSX {xlsx.describe()}; CSV {csv.describe()}"
        else:
            raw = f"XLSX {_speed(xlsx)}; CSV {_speed(csv)} (alternately, best of two each)"
            if not same:
                raw += f"; not compared: the rows differ ({xlsx.rows:,} ≠ {csv.rows:,})"
        speed.append(
            Row(
                11,
                f"{what} export of a tenth (large): CSV time / XLSX time",
                ratio(csv.seconds, xlsx.seconds) if same else None,
                "",
                raw,
            )
        )
        first.append(
            Row(
                12,
                f"{what} XLSX of a tenth (large): time to first byte",
                xlsx.first_byte if xlsx.ok else None,
                "≤ 60s",
                f"the workbook is written whole before its first byte; {xlsx.rows:,} rows"
                if xlsx.ok
                else f"XLSX {xlsx.describe()}",
                unit="s",
            )
        )
        peak = {kind: max(tries[kind], key=lambda d: d.peak_rss_kb) for kind in ("csv", "xlsx")}
        delta = (
            (peak["xlsx"].peak_rss_kb - peak["csv"].peak_rss_kb) / 1024
            if all(d.ok for d in peak.values())
            else None
        )
        memory.append(
            Row(
                13,
                f"peak RSS of the serving worker, {what} XLSX − CSV of the same tenth",
                delta,
                "≤ 10MB",
                "; ".join(
                    f"{kind.upper()}: peak {d.peak_rss_kb / 1024:.0f} MB "
                    f"(before {d.rss_before_kb / 1024:.0f} MB)"
                    for kind, d in peak.items()
                )
                + " (the higher of two each)",
                unit="MB",
            )
        )
    return speed + first + memory


def counted(extra, key: str) -> str:
    """ "1,569,516 (569,516 with no report yet)" for the data set ``key``."""
    n = (extra.get("follow-ups") or {}).get(key) or {}
    if not n:
        return "not counted"
    return f"{n['follow_ups']:,} ({n['not_reported']:,} with no report yet)"


def render(rows: list[Row], args, extra, started: datetime.datetime, loads: tuple) -> str:
    large = SIZES["quick" if args.quick else "large"]
    given = sys.argv[1:]
    command = "make bench" + (f" BENCH_ARGS={shlex.quote(' '.join(given))}" if given else "")
    lines = [
        f"Measured on {started:%Y-%m-%d %H:%M} UTC: {machine()}, Python "
        f"{platform.python_version()}; PostgreSQL "
        f"{server_version(args.pg_url)}; gunicorn {args.workers} workers × {args.threads} "
        "threads (gthread, DEBUG off) on loopback. Client and server share the machine; "
        f"load average {loads[0]} at the start, {loads[1]} at the end.",
        "",
        f"Data: small = {SIZES['small']['recommendations']:,} items, "
        f"{SIZES['small']['follow_ups']:,} follow-ups, {SIZES['small']['updates']:,} updates; "
        f"large = {large['recommendations']:,} items, {large['follow_ups']:,} follow-ups, "
        f"{large['updates']:,} updates; {DELEGATIONS} delegations, seed {SEED}; "
        f"the first {ROSTER} delegations on the roster, each with a follow-up of every item; "
        f"follow-ups in all: small {counted(extra, 'small')}, large {counted(extra, 'large')}. "
        f"Latency: 4 clients × {args.requests} requests each (keep-alive, one warm-up request "
        f"each per round), send to last byte; the two sides of each ratio are measured "
        f"alternately in {args.rounds} rounds, both servers running. Throughput: 4 clients, "
        f"{args.duration:.0f} s per URL in the same rounds. Exports of a tenth (11–13): "
        "the one-worker server, one download at a time, the CSV and the XLSX alternately, "
        "twice each.",
        "",
        "| # | Ratio | Value | Target | Met? | Raw figures |",
        "| ---: | --- | ---: | --- | --- | --- |",
    ]
    for row in rows:
        lines.append(
            f"| {row.number} | {row.name} | {row.shown()} | {row.target or '—'} | {row.met()} | "
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


def write_benchmarks(section: str) -> None:
    write_section(BEGIN, END, "Scale benchmark", section)
