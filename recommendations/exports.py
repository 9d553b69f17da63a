"""CSV exports: RFC 4180, UTF-8 with a byte-order mark, CRLF line ends, streamed,
and safe to open in a spreadsheet (cells that would start a formula get a leading ').

Each export is one SELECT built from the filtered queryset (``ExportQuery``): the same
rows and values whatever writes them. Two writers turn it into the same bytes:

- the ORM path (every database): ``values_list(...).iterator()``, cells formatted in
  Python by ``neutralise`` and written by ``csv.writer``;
- the COPY path (PostgreSQL): ``COPY (SELECT <cells formatted in SQL> FROM (<the same
  SELECT>) AS t) TO STDOUT (FORMAT csv)`` through psycopg's ``cursor.copy()``, each
  row's final newline turned into CRLF. No Python per cell: the fast path.

Both run inside their own transaction, opened by the streaming generator itself: the
export's ``statement_timeout`` (and ``jit = off``) are set there for that transaction
only (``set_config(..., true)``, the same as ``SET LOCAL``), server-side cursors are
never ``WITH HOLD`` (which would make PostgreSQL materialise the whole result first),
and closing the generator (a client that disconnects) cancels the query and rolls the
transaction back.

The headers below are contracts (more columns may follow, never fewer or reordered).
"""

from __future__ import annotations

import csv
import datetime
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import (
    Aggregate,
    BooleanField,
    Case,
    Count,
    F,
    JSONField,
    OuterRef,
    StringAgg,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.functions import (
    Coalesce,
    Collate,
    Concat,
    NullIf,
    Trim,
)
from django.http import QueryDict, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from . import access
from .filters import FollowUpFilter, RecommendationFilter, follow_up_conditions
from .models import FollowUp, ProgressUpdate, Recommendation
from .status import (
    LATEST_FIRST,
    OLDEST_FIRST,
    Status,
    latest_update,
    overdue_q,
    with_previous_status,
    with_shown_status,
)

BOM = "\ufeff"
# OWASP CSV injection guidance: these first characters make a spreadsheet evaluate a cell.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
BLOCK_SIZE = 64 * 1024
CHUNK_ROWS = 2000

KINDS = ("recommendations", "follow-ups", "matrix", "progress-updates")

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
    "verified",
]
CHANGE_HEADER = ["status_from", "status_to"]
RECOMMENDATION_HEADER = [
    "code",
    "meeting",
    "day",
    "session",
    "speaker",
    "affiliation",
    "kind",
    "themes",
    "recommendation",
    "source_excerpt",
    *Status.values,
    "url",
]
PROGRESS_UPDATE_HEADER = [
    "code",
    "delegation",
    "date",
    "status",
    "previous_status",
    "note",
    "evidence_url",
    "verified",
    "author",
]

# The order of the follow-up list (FollowUpFilter), seen from a progress update.
_FOLLOW_UP_ORDER = ["follow_up__recommendation__sort_key", "follow_up__delegation__code"]
# A follow-up's history in order: the order in which its status changed.
_HISTORY_ORDER = list(OLDEST_FIRST)


# --- Writing cells -------------------------------------------------------------------


def neutralise(value) -> str:
    """The cell text for ``value``: '' for None, ISO dates, yes/no for booleans, and a
    leading ' for text that a spreadsheet would read as a formula."""
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


def export_filename(kind: str, parts: Iterable[str] = (), day: datetime.date | None = None) -> str:
    """``<kind>-<parts>-<YYYY-MM-DD>.csv``, e.g. ``recommendations-ieds-2026-11-27.csv``.
    ASCII only, at most about 150 characters."""
    day = day or timezone.localdate()
    words = [slugify(p) for p in parts if p]
    middle = "-".join(w for w in words if w)[:120].strip("-")
    return "-".join(w for w in [slugify(kind), middle, day.isoformat()] if w) + ".csv"


def _attachment(content: Iterator[bytes], filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


# --- What an export selects ----------------------------------------------------------

TEXT, THEMES, DATE, BOOL, INT = "text", "themes", "date", "bool", "int"


@dataclass(frozen=True)
class Column:
    """One column of the file: its header, how its value is written, and where the
    value comes from (``source``: a column of the SELECT; ``key``: a key of the JSON
    object in that column, for the matrix)."""

    name: str
    kind: str
    source: int
    key: str | None = None


@dataclass
class ExportQuery:
    """The columns of a file and the SELECT that feeds them (a ``values_list`` of the
    sources, in order, already filtered and ordered)."""

    columns: list[Column]
    rows: object  # a values_list QuerySet

    @property
    def header(self) -> list[str]:
        return [column.name for column in self.columns]


def _select(queryset, sources: list[tuple[str, str, object]]) -> ExportQuery:
    """``sources``: (header, kind, expression). Each becomes the annotation ``c<i>``."""
    aliases = {f"c{i}": expression for i, (_, _, expression) in enumerate(sources)}
    rows = queryset.annotate(**aliases).values_list(*aliases)
    columns = [Column(name, kind, i) for i, (name, kind, _) in enumerate(sources)]
    return ExportQuery(columns=columns, rows=rows)


Audience = access.Audience
PUBLIC, STAFF = access.PUBLIC, access.STAFF


def _themes_subquery(outer: str):
    """The item's theme slugs joined by '; ', in code-point order where the database can
    order an aggregate (the ORM path sorts them again, so both paths agree)."""
    through = Recommendation.themes.through
    extra = {}
    if connection.features.supports_aggregate_order_by_clause:
        collation = "C" if connection.vendor == "postgresql" else "BINARY"
        extra["order_by"] = Collate(F("theme__slug"), collation)
    return Subquery(
        through.objects.filter(recommendation=OuterRef(outer))
        .order_by()
        .values("recommendation")
        .annotate(slugs=StringAgg("theme__slug", Value("; "), **extra))
        .values("slugs"),
        output_field=TextField(),
    )


def _status_count(value: str, as_of: datetime.date | None):
    """How many follow-ups of the item ``OuterRef('pk')`` are in ``value`` (at as_of)."""
    follow_ups = FollowUp.objects.filter(recommendation=OuterRef("pk")).order_by()
    if as_of is not None:
        follow_ups = follow_ups.alias(shown=latest_update("status", as_of)).filter(shown=value)
    else:
        follow_ups = follow_ups.filter(status=value)
    counted = follow_ups.values("recommendation").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted), Value(0))


def detail_url_parts() -> tuple[str, str]:
    """The absolute detail URL of an item is ``prefix + code + suffix`` (SITE_URL, so the
    command and the web export agree)."""
    marker = "CODE0MARKER"
    path = reverse("recommendations:detail", args=[marker])
    prefix, suffix = path.split(marker)
    return settings.SITE_URL + prefix, suffix


def recommendations_query(items, *, as_of: datetime.date | None = None) -> ExportQuery:
    """One row per item of ``items`` (a filtered, ordered Recommendation queryset) with
    how many delegations' follow-ups are in each status (at the end of ``as_of``)."""
    prefix, suffix = detail_url_parts()
    return _select(
        items,
        [
            ("code", TEXT, F("code")),
            ("meeting", TEXT, F("meeting__slug")),
            ("day", INT, F("session__day")),
            ("session", TEXT, F("session__code")),
            ("speaker", TEXT, F("speaker__name")),
            ("affiliation", TEXT, F("speaker__affiliation")),
            ("kind", TEXT, F("kind")),
            ("themes", THEMES, _themes_subquery("pk")),
            ("recommendation", TEXT, F("text")),
            ("source_excerpt", TEXT, F("source_excerpt")),
            *[(value, INT, _status_count(value, as_of)) for value in Status.values],
            (
                "url",
                TEXT,
                Concat(Value(prefix), F("code"), Value(suffix), output_field=TextField()),
            ),
        ],
    )


def _latest_updates(as_of: datetime.date | None):
    latest = ProgressUpdate.objects.filter(follow_up=OuterRef("pk"))
    if as_of is not None:
        latest = latest.filter(date__lte=as_of)
    return latest.order_by(*LATEST_FIRST)


def _latest_note(latest, audience: Audience):
    """The note of the latest update, or '' when this audience may not read it."""
    readable = audience.readable("follow_up__delegation")
    if readable is None:
        return Subquery(latest.values("note")[:1], output_field=TextField())
    shown = Case(When(readable, then=F("note")), default=Value(""), output_field=TextField())
    return Subquery(latest.annotate(shown=shown).values("shown")[:1], output_field=TextField())


def _is_verified(verified_at: str = "verified_at"):
    return Case(
        When(**{f"{verified_at}__isnull": False}, then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )


def follow_ups_query(
    follow_ups,
    *,
    audience: Audience,
    as_of: datetime.date | None = None,
    changed_since: datetime.date | None = None,
    today: datetime.date | None = None,
) -> ExportQuery:
    """One row per follow-up of ``follow_ups`` (filtered, ordered) in FOLLOW_UP_HEADER
    order, plus status_from/status_to when ``changed_since`` is given. Status, latest
    update and overdue as at the end of ``as_of`` (today without it). ``verified`` is
    empty for a follow-up without updates."""
    reference_day = as_of or today or timezone.localdate()
    latest = _latest_updates(as_of)
    # Today, the kept column equals the latest update's date (the database keeps it).
    update_date = F("last_update_date") if as_of is None else Subquery(latest.values("date")[:1])
    follow_ups = with_shown_status(follow_ups, as_of)
    overdue = Case(
        When(overdue_q(reference_day, status="shown_status"), then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )
    verified = Subquery(latest.annotate(v=_is_verified()).values("v")[:1])
    sources = [
        ("code", TEXT, F("recommendation__code")),
        ("delegation", TEXT, F("delegation__code")),
        ("delegation_name", TEXT, F("delegation__name")),
        ("themes", THEMES, _themes_subquery("recommendation")),
        ("status", TEXT, F("shown_status")),
        ("pledge", TEXT, F("pledge")),
        ("target_date", DATE, F("target_date")),
        ("last_update_date", DATE, update_date),
        ("last_update_note", TEXT, _latest_note(latest, audience)),
        ("overdue", BOOL, overdue),
        ("verified", BOOL, verified),
    ]
    if changed_since is not None:
        sources += [
            ("status_from", TEXT, latest_update("status", changed_since)),
            ("status_to", TEXT, F("shown_status")),
        ]
    return _select(follow_ups, sources)


class _StatusMap(Aggregate):
    """``{delegation code: status}`` of a group of follow-ups, as a JSON object."""

    function = "JSONB_OBJECT_AGG"
    output_field = JSONField()
    arity = 2

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, function="JSON_GROUP_OBJECT", **extra_context)


def matrix_query(
    items,
    *,
    delegation_codes: list[str],
    follow_up_params: dict,
    as_of: datetime.date | None = None,
) -> ExportQuery:
    """One row per item of ``items``, one column per delegation code: the status (at the
    end of ``as_of``) of that delegation's follow-up when it meets ``follow_up_params``,
    empty otherwise. One SELECT: each item's statuses come as one JSON object."""
    matching = with_shown_status(
        follow_up_conditions(
            FollowUp.objects.filter(recommendation=OuterRef("pk")), as_of=as_of, **follow_up_params
        ),
        as_of,
    )
    status = F("shown_status")
    statuses = Subquery(
        matching.order_by()
        .values("recommendation")
        .annotate(m=_StatusMap(F("delegation__code"), status))
        .values("m"),
        output_field=JSONField(),
    )
    query = _select(items, [("code", TEXT, F("code")), ("statuses", TEXT, statuses)])
    query.columns = [query.columns[0]] + [
        Column(code, TEXT, source=1, key=code) for code in delegation_codes
    ]
    return query


def progress_updates_query(
    follow_ups,
    *,
    audience: Audience,
    as_of: datetime.date | None = None,
    changed_since: datetime.date | None = None,
) -> ExportQuery:
    """One row per progress update of ``follow_ups``, oldest first within each follow-up:
    those dated on or before ``as_of`` and after ``changed_since`` when given.
    ``previous_status`` is computed in SQL with LAG over the follow-up's whole history
    (``not_started`` before its first update), so it is right even for the first update
    after ``changed_since``. Note and evidence are empty when the audience may not read
    them; the status stays."""
    updates = with_previous_status(
        ProgressUpdate.objects.filter(follow_up__in=follow_ups.order_by().values("pk")),
        after=changed_since,
        until=as_of,
    )
    readable = audience.readable("follow_up__delegation")

    def shown(name):
        if readable is None:
            return F(name)
        return Case(When(readable, then=F(name)), default=Value(""), output_field=TextField())

    author = Coalesce(
        NullIf(
            Trim(Concat("author__first_name", Value(" "), "author__last_name")),
            Value(""),
        ),
        F("author__username"),
        output_field=TextField(),
    )
    # Who wrote an update is a staff account's name: only Secretariat staff and the
    # delegation's own focal points see it.
    sees_author = audience.sees_authors_of("follow_up__delegation")
    if sees_author is not None:
        author = Case(When(sees_author, then=author), default=Value(""), output_field=TextField())
    updates = updates.order_by(*_FOLLOW_UP_ORDER, *_HISTORY_ORDER)
    return _select(
        updates,
        [
            ("code", TEXT, F("follow_up__recommendation__code")),
            ("delegation", TEXT, F("follow_up__delegation__code")),
            ("date", DATE, F("date")),
            ("status", TEXT, F("status")),
            ("previous_status", TEXT, F("previous_status")),
            ("note", TEXT, shown("note")),
            ("evidence_url", TEXT, shown("evidence_url")),
            ("verified", BOOL, _is_verified()),
            ("author", TEXT, author),
        ],
    )


@dataclass
class Progress:
    """Filled in while a file streams: how many rows were written."""

    rows: int = 0


# --- Writing rows: the ORM path and the COPY path ------------------------------------


def _cell(value, column: Column) -> str:
    if column.key is not None:
        value = (value or {}).get(column.key)
    if column.kind == THEMES and value:
        value = "; ".join(sorted(value.split("; ")))
    return neutralise(value)


def orm_rows(query: ExportQuery) -> Iterator[list[str]]:
    """The cells of each row, formatted in Python. One query (a server-side cursor on
    PostgreSQL, fetched CHUNK_ROWS at a time)."""
    columns = query.columns
    for row in query.rows.iterator(chunk_size=CHUNK_ROWS):
        yield [_cell(row[column.source], column) for column in columns]


def _orm_blocks(query: ExportQuery, progress: Progress) -> Iterator[bytes]:
    writer = csv.writer(_Line(), lineterminator="\r\n")
    lines, size = [], 0
    for cells in orm_rows(query):
        line = writer.writerow(cells)
        lines.append(line)
        size += len(line)
        progress.rows += 1
        if size >= BLOCK_SIZE:
            yield "".join(lines).encode("utf-8")
            lines, size = [], 0
    if lines:
        yield "".join(lines).encode("utf-8")


# The same formatting as ``neutralise`` + csv.writer, in PostgreSQL: a leading ' before
# a formula (ascii() is the code of the first character: = + - @ tab CR LF), ISO dates,
# yes/no, and NULLIF so that an empty string comes out unquoted (COPY quotes a non-NULL
# empty string, Python's writer does not).
_SQL_CELL = {
    TEXT: (
        "CASE WHEN ascii({x}) IN (61, 43, 45, 64, 9, 13, 10) "
        "THEN '''' || {x} ELSE NULLIF({x}, '') END"
    ),
    DATE: "to_char({x}, 'YYYY-MM-DD')",
    BOOL: "CASE WHEN {x} THEN 'yes' WHEN NOT {x} THEN 'no' END",
    INT: "{x}",
}
_SQL_CELL[THEMES] = _SQL_CELL[TEXT]


def copy_statement(query: ExportQuery) -> str:
    """The COPY statement for ``query``, its parameters bound client-side by psycopg
    (``connection.ops.compose_sql``: proper literal quoting, so the composed text is as
    safe as a parameterised query). Relies on PostgreSQL keeping the order of a FROM
    subquery that has an ORDER BY (such a subquery is never flattened)."""
    inner_sql, inner_params = query.rows.query.sql_with_params()
    cells, params = [], []
    for column in query.columns:
        template = _SQL_CELL[column.kind]
        ref = f't."c{column.source}"'
        if column.key is not None:
            ref = f"({ref} ->> %s)"
            params.extend([column.key] * template.count("{x}"))
        cells.append(template.format(x=ref))
    # Only fixed templates and Django's compiled SQL go into the text; every value is
    # a parameter, bound below.
    sql = (
        f"COPY (SELECT {', '.join(cells)} FROM ({inner_sql}) AS t) "  # noqa: S608
        "TO STDOUT (FORMAT csv, ENCODING 'UTF8')"
    )
    return connection.ops.compose_sql(sql, [*params, *inner_params])


def _copy_blocks(query: ExportQuery, progress: Progress) -> Iterator[bytes]:
    """The rows of the COPY, CRLF-terminated, joined into blocks of about BLOCK_SIZE."""
    statement = copy_statement(query)
    block = bytearray()
    with connection.cursor() as cursor, cursor.copy(statement) as copy:
        # libpq hands back one row per message; COPY ends rows with "\n". Embedded
        # newlines stay inside their quoted field, exactly as csv.writer leaves them.
        for row in copy:
            if row[-1] != 10:
                raise RuntimeError("COPY returned a partial row")
            block += row[:-1]
            block += b"\r\n"
            progress.rows += 1
            if len(block) >= BLOCK_SIZE:
                yield bytes(block)
                block.clear()
    if block:
        yield bytes(block)


def default_engine() -> str:
    return "copy" if connection.vendor == "postgresql" else "orm"


def stream(
    build: Callable[[], ExportQuery],
    *,
    engine: str | None = None,
    progress: Progress | None = None,
) -> Iterator[bytes]:
    """The bytes of the file, in blocks of about 64 KB: BOM and header first (at once,
    so the first byte is quick), then the rows. ``build`` runs inside the export's own
    transaction; queries: the settings (PostgreSQL), what ``build`` makes, and one
    SELECT or COPY whatever the number of rows."""
    engine = engine or default_engine()
    if engine == "copy" and connection.vendor != "postgresql":
        raise ValueError("The COPY path needs PostgreSQL.")
    progress = progress if progress is not None else Progress()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # For this transaction only: the export's own time limit, and no JIT,
                # whose compilation delays the first row by seconds and does not pay
                # off on these queries (their time goes to index look-ups).
                cursor.execute(
                    "SELECT set_config('statement_timeout', %s, true), "
                    "set_config('jit', 'off', true)",
                    [str(settings.EXPORT_STATEMENT_TIMEOUT_MS)],
                )
        query = build()
        writer = csv.writer(_Line(), lineterminator="\r\n")
        yield (BOM + writer.writerow(query.header)).encode("utf-8")
        write = _copy_blocks if engine == "copy" else _orm_blocks
        blocks = write(query, progress)
        try:
            yield from blocks
        finally:
            # Close the COPY (cancelling it) before the transaction ends, also when
            # the client went away and this generator is being closed.
            blocks.close()


# --- From query parameters to a file ------------------------------------------------


class InvalidParameters(ValueError):
    """The query parameters do not make a valid filter; the message says why."""


@dataclass
class Export:
    """A bound export: its kind, its filename and how to build its query."""

    kind: str
    filename: str
    build: Callable[[], ExportQuery]

    def stream(self, *, engine: str | None = None, progress: Progress | None = None):
        return stream(self.build, engine=engine, progress=progress)

    def response(self, *, engine: str | None = None) -> StreamingHttpResponse:
        return _attachment(self.stream(engine=engine), self.filename)


def _errors_text(filterset) -> str:
    parts = []
    for name, errors in filterset.errors.items():
        parts.append(f"{name}: {' '.join(str(e) for e in errors)}")
    return "Invalid parameters. " + "; ".join(parts)


def _filename_parts(data: dict) -> list[str]:
    parts = [theme.slug for theme in data.get("theme") or []]
    if data.get("meeting"):
        parts.append(data["meeting"].slug)
    for name in ("session", "speaker", "kind"):
        if data.get(name):
            parts.append(data[name])
    if data.get("delegation"):
        parts.append(data["delegation"].code)
    if data.get("status"):
        parts.append(data["status"])
    if data.get("overdue"):
        parts.append("overdue" if data["overdue"] == "yes" else "not-overdue")
    if data.get("verified"):
        parts.append("verified" if data["verified"] == "yes" else "unverified")
    if data.get("q") and data["q"].strip():
        parts.append("q-" + data["q"].strip()[:30])
    if data.get("as_of"):
        parts.append(f"as-of-{data['as_of'].isoformat()}")
    if data.get("changed_since"):
        parts.append(f"changed-since-{data['changed_since'].isoformat()}")
    return parts


def export_from_params(
    kind: str, params: QueryDict | dict, *, audience: Audience, today=None
) -> Export:
    """Bind the list's filters to ``params`` and return the export of ``kind``.

    Raises ``InvalidParameters`` with a short explanation when they are invalid.
    Queries: the filters' own look-ups (theme, meeting, delegation); the export's
    queries run when it is streamed.
    """
    if kind not in KINDS:
        raise InvalidParameters(f"Unknown export {kind!r}.")
    today = today or timezone.localdate()
    items_filter = RecommendationFilter(params, queryset=Recommendation.objects.all())
    follow_up_filter = FollowUpFilter(params, queryset=FollowUp.objects.all())
    filterset = items_filter if kind == "recommendations" else follow_up_filter
    if not filterset.is_valid():
        raise InvalidParameters(_errors_text(filterset))
    data = filterset.form.cleaned_data
    as_of, changed_since = data.get("as_of"), data.get("changed_since")
    filename = export_filename(kind, _filename_parts(data), today)

    if kind == "recommendations":

        def build():
            return recommendations_query(items_filter.qs, as_of=as_of)

    elif kind == "follow-ups":

        def build():
            return follow_ups_query(
                follow_up_filter.qs,
                audience=audience,
                as_of=as_of,
                changed_since=changed_since,
                today=today,
            )

    elif kind == "matrix":
        # The rows are the list's items, in its order (``sort`` is an item parameter).
        if not items_filter.is_valid():
            raise InvalidParameters(_errors_text(items_filter))

        def build():
            # One query for the header: the delegations of the follow-ups listed.
            codes = list(
                follow_up_filter.qs.order_by("delegation__code")
                .values_list("delegation__code", flat=True)
                .distinct()
            )
            return matrix_query(
                items_filter.qs,
                delegation_codes=codes,
                follow_up_params=follow_up_filter.follow_up_params(),
                as_of=as_of,
            )

    else:

        def build():
            return progress_updates_query(
                follow_up_filter.qs, audience=audience, as_of=as_of, changed_since=changed_since
            )

    return Export(kind=kind, filename=filename, build=build)


# --- The admin's export action -------------------------------------------------------


def follow_ups_response(queryset, *, user, name_parts=(), as_of=None) -> StreamingHttpResponse:
    """The per-delegation status report for ``queryset`` as a streamed CSV download."""
    audience = access.audience(user)
    return _attachment(
        stream(lambda: follow_ups_query(queryset, audience=audience, as_of=as_of)),
        export_filename("follow-ups", name_parts),
    )
