"""CSV exports: RFC 4180, UTF-8 with a byte-order mark, CRLF line ends, streamed,
and safe to open in a spreadsheet (cells that would start a formula get a leading ')."""

from __future__ import annotations

import csv
import datetime
from collections.abc import Iterable, Iterator

from django.db.models import OuterRef, StringAgg, Subquery, Value
from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.text import slugify

from .models import OPEN_STATUSES, Recommendation, latest_update_subquery
from .roles import user_delegation, user_is_secretariat

BOM = "\ufeff"
# OWASP CSV injection guidance: these first characters make a spreadsheet evaluate a cell.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")

FOLLOW_UP_HEADER = [
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
]


def neutralise(value) -> str:
    """The cell text for ``value``: '' for None, ISO dates, and a leading ' for text
    that a spreadsheet would read as a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


class _Line:
    """A file-like sink for csv.writer that hands back each formatted line."""

    def write(self, line):
        return line


def csv_lines(header: list[str], rows: Iterable[Iterable]) -> Iterator[str]:
    """The lines of the file: BOM + header, then one CRLF-terminated line per row."""
    writer = csv.writer(_Line(), lineterminator="\r\n")
    yield BOM + writer.writerow(header)
    for row in rows:
        yield writer.writerow([neutralise(value) for value in row])


def export_filename(kind: str, parts: Iterable[str] = (), day: datetime.date | None = None) -> str:
    """``<kind>-<parts>-<YYYY-MM-DD>.csv``, e.g. ``recommendations-ieds-2026-11-27.csv``."""
    day = day or timezone.localdate()
    words = [slugify(kind)] + [slugify(p) for p in parts if p] + [day.isoformat()]
    return "-".join(w for w in words if w) + ".csv"


def csv_response(lines: Iterable[str], filename: str) -> StreamingHttpResponse:
    """Stream ``lines`` as a CSV download, encoded as UTF-8 in blocks."""

    def blocks():
        buffer, size = [], 0
        for line in lines:
            buffer.append(line)
            size += len(line)
            if size >= 64 * 1024:
                yield "".join(buffer).encode("utf-8")
                buffer, size = [], 0
        if buffer:
            yield "".join(buffer).encode("utf-8")

    response = StreamingHttpResponse(blocks(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _themes_subquery(outer: str):
    through = Recommendation.themes.through
    return Subquery(
        through.objects.filter(recommendation=OuterRef(outer))
        .order_by()
        .values("recommendation")
        .annotate(slugs=StringAgg("theme__slug", Value("; ")))
        .values("slugs")
    )


def follow_up_rows(queryset, *, user, as_of: datetime.date | None = None) -> Iterator[list]:
    """One row per follow-up in FOLLOW_UP_HEADER order. One query whatever the size
    (themes, status and latest note come from correlated subqueries). A restricted
    note is left empty unless the user may read it."""
    today = as_of or timezone.localdate()
    everything = user_is_secretariat(user)
    own = user_delegation(user)
    rows = (
        queryset.order_by()
        .annotate(
            themes_joined=_themes_subquery("recommendation"),
            status_in_force=latest_update_subquery("status", as_of),
            update_date=latest_update_subquery("date", as_of),
            update_note=latest_update_subquery("note", as_of),
            update_visibility=latest_update_subquery("visibility", as_of),
        )
        .order_by("recommendation__code", "delegation__code")
        .values_list(
            "recommendation__code",
            "delegation__code",
            "delegation__name",
            "themes_joined",
            "status_in_force",
            "pledge",
            "target_date",
            "update_date",
            "update_note",
            "update_visibility",
            "delegation_id",
        )
    )
    for row in rows.iterator(chunk_size=2000):
        (code, d_code, d_name, themes, status, pledge, target, u_date, note, vis, d_id) = row
        if vis == "restricted" and not (everything or (own is not None and own.pk == d_id)):
            note = ""
        themes = "; ".join(sorted(themes.split("; "))) if themes else ""
        overdue = bool(target and target < today and status in OPEN_STATUSES)
        yield [code, d_code, d_name, themes, status, pledge, target, u_date, note, overdue]


def follow_ups_response(queryset, *, user, name_parts=(), as_of=None) -> StreamingHttpResponse:
    """The per-delegation status report for ``queryset`` as a streamed CSV download."""
    return csv_response(
        csv_lines(FOLLOW_UP_HEADER, follow_up_rows(queryset, user=user, as_of=as_of)),
        export_filename("follow-ups", name_parts),
    )
