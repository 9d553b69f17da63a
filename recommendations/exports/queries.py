"""What each export selects: one query builder per kind, independent of the format.

A builder takes a filtered, ordered queryset and returns an ``ExportQuery``: the
columns of the file and one SELECT (a ``values_list``) that feeds them, whatever the
number of rows. The CSV writer (``csv.py``) turns it into bytes; any other format
would read the same query.

The headers below are contracts (more columns may follow, never fewer or reordered).
Beside each column's name, what people read: its translated label and, for a key or
a code, the vocabulary that says it in words (``words.py``, for the spreadsheet).
"""

from __future__ import annotations

import datetime
from contextlib import contextmanager
from dataclasses import dataclass
from typing import NamedTuple

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
from django.db.models.functions import Coalesce, Collate, Concat, NullIf, Trim
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..access import Audience
from ..filters import follow_up_conditions
from ..models import FollowUp, ProgressUpdate, Recommendation
from ..status import (
    LATEST_FIRST,
    NOT_REPORTED,
    OLDEST_FIRST,
    State,
    Status,
    latest_update,
    overdue_q,
    with_previous_status,
    with_shown_status,
)
from ..translation import in_language
from .formatting import BOOL, DATE, INT, TEXT, THEMES, Column
from .words import (
    DELEGATION_NAME,
    KIND,
    MEETING_TITLE,
    SESSION_TITLE,
    STATUS,
    THEME_NAMES,
    Vocabulary,
)

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
    # The reported statuses as they always were, then "No report yet".
    *Status.values,
    NOT_REPORTED,
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


@dataclass
class ExportQuery:
    """The columns of a file and the SELECT that feeds them (a ``values_list`` of the
    sources, in order, already filtered and ordered)."""

    columns: list[Column]
    rows: object  # a values_list QuerySet

    @property
    def header(self) -> list[str]:
        return [column.name for column in self.columns]


@contextmanager
def export_transaction():
    """The transaction an export reads in, whatever its format: on PostgreSQL, the
    export's own time limit and no JIT, for this transaction only. Queries: BEGIN or
    SAVEPOINT, the settings (PostgreSQL), and COMMIT or RELEASE at the end."""
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
        yield


class Source(NamedTuple):
    """One column as a builder declares it: its name (the CSV header), how its value
    is written, the expression that gives it, the header people read, what the value
    is in words, and the name of the column that scopes those words."""

    name: str
    kind: str
    expression: object
    label: str = ""
    words: Vocabulary | None = None
    scope: str | None = None


def _select(queryset, sources: list[tuple]) -> ExportQuery:
    """``sources``: ``Source`` tuples. Each expression becomes the annotation ``c<i>``."""
    sources = [Source(*source) for source in sources]
    aliases = {f"c{i}": source.expression for i, source in enumerate(sources)}
    rows = queryset.annotate(**aliases).values_list(*aliases)
    position = {source.name: i for i, source in enumerate(sources)}
    columns = [
        Column(
            source.name,
            source.kind,
            i,
            label=source.label,
            words=source.words,
            scope=position[source.scope] if source.scope else None,
        )
        for i, source in enumerate(sources)
    ]
    return ExportQuery(columns=columns, rows=rows)


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
            ("code", TEXT, F("code"), _("Code")),
            ("meeting", TEXT, F("meeting__slug"), _("Meeting"), MEETING_TITLE),
            ("day", INT, F("session__day"), _("Day")),
            ("session", TEXT, F("session__code"), _("Session"), SESSION_TITLE, "meeting"),
            ("speaker", TEXT, F("speaker__name"), _("Speaker")),
            ("affiliation", TEXT, F("speaker__affiliation"), _("Affiliation")),
            ("kind", TEXT, F("kind"), _("Kind"), KIND),
            ("themes", THEMES, _themes_subquery("pk"), _("Themes"), THEME_NAMES),
            ("recommendation", TEXT, F("text"), _("Recommendation")),
            ("source_excerpt", TEXT, F("source_excerpt"), _("Source excerpt")),
            # How many follow-ups are in each status, headed by the status, then how
            # many have no report yet (a column added after the original ones).
            *[
                (status.value, INT, _status_count(status.value, as_of), status.label)
                for status in [*Status, State.NOT_REPORTED]
            ],
            (
                "url",
                TEXT,
                Concat(Value(prefix), F("code"), Value(suffix), output_field=TextField()),
                _("Link"),
            ),
        ],
    )


def _latest_updates(as_of: datetime.date | None):
    latest = ProgressUpdate.objects.filter(follow_up=OuterRef("pk"))
    if as_of is not None:
        latest = latest.filter(date__lte=as_of)
    return latest.order_by(*LATEST_FIRST)


def _blank_unless(condition, expression):
    """``expression`` where ``condition`` holds (always, when it is None), else ''."""
    if condition is None:
        return expression
    return Case(When(condition, then=expression), default=Value(""), output_field=TextField())


def _latest_note(latest, audience: Audience):
    """The note of the latest update, or '' when this audience may not read it."""
    shown = _blank_unless(audience.readable("follow_up__delegation"), F("note"))
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
        ("code", TEXT, F("recommendation__code"), _("Code")),
        ("delegation", TEXT, F("delegation__code"), _("Delegation code")),
        ("delegation_name", TEXT, in_language("delegation__name"), _("Delegation")),
        ("themes", THEMES, _themes_subquery("recommendation"), _("Themes"), THEME_NAMES),
        ("status", TEXT, F("shown_status"), _("Status"), STATUS),
        ("pledge", TEXT, F("pledge"), _("Pledge")),
        ("target_date", DATE, F("target_date"), _("Target date")),
        ("last_update_date", DATE, update_date, _("Latest update")),
        ("last_update_note", TEXT, _latest_note(latest, audience), _("Note of the latest update")),
        ("overdue", BOOL, overdue, _("Overdue")),
        ("verified", BOOL, verified, _("Verified")),
    ]
    if changed_since is not None:
        sources += [
            (
                "status_from",
                TEXT,
                latest_update("status", changed_since),
                _("Status before"),
                STATUS,
            ),
            ("status_to", TEXT, F("shown_status"), _("Status after"), STATUS),
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
    delegation_names: dict[str, str] | None = None,
) -> ExportQuery:
    """One row per item of ``items``, one column per delegation code: the status (at the
    end of ``as_of``) of that delegation's follow-up when it meets ``follow_up_params``,
    empty otherwise. One SELECT: each item's statuses come as one JSON object. People
    read each column headed by the delegation's name (from ``delegation_names``)."""
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
    query = _select(items, [("code", TEXT, F("code"), _("Code")), ("statuses", TEXT, statuses)])
    names = delegation_names or {}
    query.columns = [query.columns[0]] + [
        Column(code, TEXT, source=1, key=code, label=names.get(code, code), words=STATUS)
        for code in delegation_codes
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
    author = _blank_unless(audience.sees_authors_of("follow_up__delegation"), author)
    updates = updates.order_by(*_FOLLOW_UP_ORDER, *_HISTORY_ORDER)
    return _select(
        updates,
        [
            ("code", TEXT, F("follow_up__recommendation__code"), _("Code")),
            (
                "delegation",
                TEXT,
                F("follow_up__delegation__code"),
                _("Delegation"),
                DELEGATION_NAME,
            ),
            ("date", DATE, F("date"), _("Date")),
            ("status", TEXT, F("status"), _("Status"), STATUS),
            ("previous_status", TEXT, F("previous_status"), _("Previous status"), STATUS),
            ("note", TEXT, _blank_unless(readable, F("note")), _("Note")),
            ("evidence_url", TEXT, _blank_unless(readable, F("evidence_url")), _("Evidence")),
            ("verified", BOOL, _is_verified(), _("Verified")),
            ("author", TEXT, author, _("Author")),
        ],
    )
