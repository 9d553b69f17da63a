"""What each export selects: one query builder per kind, independent of the format.

A builder takes a filtered, ordered queryset and returns an ``ExportQuery``: the
columns of the file and one SELECT (a ``values_list``) that feeds them, whatever the
number of rows. The CSV writer (``csv.py``) turns it into bytes; any other format
would read the same query.

The headers below are contracts (more columns may follow, never fewer or reordered).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
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

from ..access import Audience
from ..filters import follow_up_conditions
from ..models import FollowUp, ProgressUpdate, Recommendation
from ..status import (
    LATEST_FIRST,
    OLDEST_FIRST,
    Status,
    latest_update,
    overdue_q,
    with_previous_status,
    with_shown_status,
)
from .formatting import BOOL, DATE, INT, TEXT, THEMES, Column

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
            ("code", TEXT, F("follow_up__recommendation__code")),
            ("delegation", TEXT, F("follow_up__delegation__code")),
            ("date", DATE, F("date")),
            ("status", TEXT, F("status")),
            ("previous_status", TEXT, F("previous_status")),
            ("note", TEXT, _blank_unless(readable, F("note"))),
            ("evidence_url", TEXT, _blank_unless(readable, F("evidence_url"))),
            ("verified", BOOL, _is_verified()),
            ("author", TEXT, author),
        ],
    )
