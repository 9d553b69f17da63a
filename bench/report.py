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
        f"Measured on {started:%Y-%m-%d %H:%M} UTC: {machine()}, Python "
        f"{platform.python_version()}; PostgreSQL "
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


def write_benchmarks(section: str) -> None:
    write_section(BEGIN, END, "Scale benchmark", section)
