"""Reads shared by the public pages.

Every function here makes a fixed number of queries, whatever the number of rows it
reads: the per-status numbers are grouped in the database, never counted per row.
With ``as_of`` a status is the one in force at the end of that day, answered in SQL
by ``status_as_of_subquery`` (the latest progress update dated on or before it).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import connections
from django.db.models import (
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    Window,
)
from django.db.models.functions import RowNumber

from . import access, snippets
from .filters import FOLLOW_UP_PARAMS, follow_up_conditions
from .models import (
    FollowUp,
    Meeting,
    ProgressUpdate,
    Recommendation,
    Session,
    Theme,
)
from .pagination import count_cap
from .status import (
    State,
    Status,
    due_by_target_meeting,
    due_by_target_meeting_q,
    latest_update,
    rank,
    shown_status,
    status_on,
    with_shown_status,
)
from .translation import in_language

# How many matching follow-ups a row of the recommendation list shows inline.
MATCHES_PER_ITEM = 5


def grouped_by_status(follow_ups, *, as_of: datetime.date | None = None):
    """The follow-ups ordered by status (workflow order, current or as of a day), then
    in their own order, with ``shown_status``. Adds no query."""
    ordered = with_shown_status(follow_ups, as_of)
    return ordered.order_by(rank("shown_status"), *follow_ups.query.order_by)


@dataclass
class StatusCounts:
    """How many follow-ups are in each status, and how many latest updates are
    verified by staff or self-reported."""

    counts: dict[str, int] = field(default_factory=dict)
    verified: int = 0
    self_reported: int = 0

    def add(self, status: str, n: int, verified: int = 0, self_reported: int = 0) -> None:
        self.counts[status] = self.counts.get(status, 0) + n
        self.verified += verified
        self.self_reported += self_reported

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def completed(self) -> int:
        return self.counts.get(Status.COMPLETED, 0)

    @property
    def completed_percent(self) -> int:
        """Share of follow-ups completed, not counting those not applicable."""
        relevant = self.total - self.counts.get(Status.NOT_APPLICABLE, 0)
        return round(100 * self.completed / relevant) if relevant else 0

    @property
    def nonzero(self) -> list[tuple[str, str, int]]:
        """``(status, label, n)`` for the statuses present, in workflow order."""
        return [(v, label, self.counts[v]) for v, label in State.choices if self.counts.get(v)]

    @property
    def all(self) -> list[tuple[str, str, int]]:
        """``(status, label, n)`` for every status, in workflow order."""
        return [(v, label, self.counts.get(v, 0)) for v, label in State.choices]

    def as_list(self) -> list[int]:
        return [self.counts.get(v, 0) for v in State.values]


def _with_latest_update(queryset, as_of: datetime.date | None):
    """Annotate ``shown_status``, ``latest_date`` and ``latest_verified_at`` (as of a day
    when given). Today's status and date are the cached columns; the rest are
    correlated subqueries. No extra query."""
    if as_of is None:
        latest_date = F("last_update_date")
    else:
        latest_date = latest_update("date", as_of, default=None)
    return with_shown_status(queryset, as_of).annotate(
        latest_date=latest_date,
        latest_verified_at=latest_update("verified_at", as_of, default=None),
    )


def status_counts_by_item(ids, *, as_of: datetime.date | None = None) -> dict[int, StatusCounts]:
    """Per-status counts of the follow-ups of the recommendations ``ids`` (a page), keyed
    by recommendation id. One grouped query, whatever the number of ids."""
    rows = (
        _with_latest_update(FollowUp.objects.filter(recommendation_id__in=list(ids)), as_of)
        .values("recommendation_id", "shown_status")
        .annotate(
            n=Count("pk"),
            n_verified=Count("pk", filter=Q(latest_verified_at__isnull=False)),
            n_self=Count(
                "pk", filter=Q(latest_date__isnull=False, latest_verified_at__isnull=True)
            ),
        )
        .order_by()
    )
    result: dict[int, StatusCounts] = {}
    for row in rows:
        counts = result.setdefault(row["recommendation_id"], StatusCounts())
        counts.add(row["shown_status"], row["n"], row["n_verified"], row["n_self"])
    return result


def follow_up_rows(queryset, *, as_of=None, changed_since=None):
    """A follow-up queryset ready for a list: recommendation and delegation joined,
    ``shown_status``, the latest update's date and verification, and with
    ``changed_since`` the ``from_status`` in force at the end of that day, and
    ``meeting_target_date`` (the date of the meeting the item prepares, which tells a
    follow-up's own target from the default one). Adds no query."""
    queryset = _with_latest_update(
        queryset.select_related("recommendation", "delegation"), as_of
    ).annotate(meeting_target_date=F("recommendation__meeting__target_date"))
    if changed_since is not None:
        queryset = queryset.annotate(from_status=status_on(changed_since))
    return queryset


@dataclass
class PassedTarget:
    """A meeting that follow-ups were due by and that has passed, and how many of them
    are still open (``status.due_by_target_meeting_q``)."""

    name: str
    city: str
    date: datetime.date
    n: int


def passed_targets(follow_ups, *, today: datetime.date | None = None) -> list[PassedTarget]:
    """For a follow-up queryset, each meeting their items prepare that passed before
    ``today`` with open follow-ups still due by it, and how many. One grouped query."""
    rows = (
        follow_ups.filter(due_by_target_meeting_q(today))
        .values(
            "recommendation__meeting__target_date",
            target_name=in_language("recommendation__meeting__target_name"),
            target_city=in_language("recommendation__meeting__target_city"),
        )
        .annotate(n=Count("pk"))
        .order_by("recommendation__meeting__target_date", "target_name")
    )
    return [
        PassedTarget(
            row["target_name"],
            row["target_city"],
            row["recommendation__meeting__target_date"],
            row["n"],
        )
        for row in rows
    ]


def passed_target_of(meeting: Meeting, follow_ups, today=None) -> list[PassedTarget]:
    """``passed_targets`` for follow-ups already read, all of items of ``meeting``.
    No query."""
    n = sum(
        due_by_target_meeting(f.target_date, f.status, meeting.target_date, today)
        for f in follow_ups
    )
    if not n:
        return []
    return [PassedTarget(meeting.target_name, meeting.target_city, meeting.target_date, n)]


def matching_follow_ups_by_item(
    ids, filterset, *, limit: int = MATCHES_PER_ITEM
) -> dict[int, list[FollowUp]]:
    """For each recommendation of ``ids``, its follow-ups that meet the follow-up-level
    parameters of ``filterset`` (at most ``limit`` each, by delegation code; each carries
    ``n_matching``, the number before the limit). One query."""
    as_of = filterset.as_of_date
    params = filterset.follow_up_params()
    queryset = follow_up_conditions(
        FollowUp.objects.filter(recommendation_id__in=list(ids)), as_of=as_of, **params
    )
    queryset = follow_up_rows(queryset, as_of=as_of, changed_since=params["changed_since"])
    queryset = (
        queryset.annotate(
            position=Window(
                RowNumber(),
                partition_by=[F("recommendation_id")],
                order_by=[F("delegation__code").asc()],
            ),
            n_matching=Window(Count("pk"), partition_by=[F("recommendation_id")]),
        )
        .filter(position__lte=limit)
        .order_by("recommendation_id", "delegation__code")
    )
    result: dict[int, list[FollowUp]] = {}
    for follow_up in queryset:
        result.setdefault(follow_up.recommendation_id, []).append(follow_up)
    return result


def attach_list_details(items, filterset) -> None:
    """Give each recommendation of a page ``status_counts``; when follow-up-level
    parameters are active, ``matches`` (the follow-ups that made it match) and
    ``n_matching``; and ``snippet``, the searched words in context when ``q`` is active
    (``snippets.snippet_for``, in Python). Two queries at most, whatever the page size."""
    ids = [item.pk for item in items]
    search = (filterset.clean_value("q") or "").strip()
    counts = status_counts_by_item(ids, as_of=filterset.as_of_date)
    matches = (
        matching_follow_ups_by_item(ids, filterset) if filterset.has_follow_up_params() else {}
    )
    for item in items:
        item.status_counts = counts.get(item.pk, StatusCounts())
        item.matches = matches.get(item.pk, [])
        item.n_matching = item.matches[0].n_matching if item.matches else 0
        item.snippet = snippets.snippet_for(item, search) if search else None


# The options of the list filters that show how many results each would give.
FACETS = ("theme", "status", "kind", "session")
# Where each item-level facet's value is, from the item.
_FACET_FIELDS = {"theme": "themes__slug", "kind": "kind", "session": "session__code"}


def facet_counts(filterset) -> dict[str, dict[str, int]]:
    """For each of ``FACETS``, how many results each of its values would give, counted
    under every other active parameter (a facet's own selection does not narrow its own
    counts): recommendations on a recommendation filter, follow-ups on a follow-up
    filter. The filter must be valid.

    Like the list's count, a facet reads at most ``count_cap() + 1`` rows: one with more
    rows to count is left out (its options show no count) rather than counted inexactly
    or slowly. One grouped query per facet (four), whatever the number of rows."""
    as_of, cap = filterset.as_of_date, count_cap()
    counts = {}
    for name in FACETS:
        if name == "status":
            rows = _status_facet_rows(filterset, as_of)
        else:
            # One row per result and value (per theme, for an item on several).
            rows = filterset.queryset_without(name).annotate(
                facet_value=F(filterset.item_prefix + _FACET_FIELDS[name]), facet_unit=F("pk")
            )
        found = _capped_counts(rows, cap=cap)
        if found is not None:
            counts[name] = found
    return counts


def _status_facet_rows(filterset, as_of):
    """The rows the status facet counts: follow-ups with ``facet_value`` (the status
    shown) and ``facet_unit`` (what one result is). Adds no query."""
    if filterset.item_prefix:  # follow-ups: each one counts once
        follow_ups, unit = filterset.queryset_without("status"), F("pk")
    else:
        # An item counts once in each status that one of its follow-ups meeting the
        # other follow-up-level parameters is in (as the filter matches it).
        items = filterset.queryset_without(*FOLLOW_UP_PARAMS)
        follow_ups = follow_up_conditions(
            FollowUp.objects.filter(recommendation__in=items.values("pk")),
            as_of=as_of,
            **{**filterset.follow_up_params(), "status": None},
        )
        unit = F("recommendation_id")
    return with_shown_status(follow_ups, as_of).annotate(
        facet_value=F("shown_status"), facet_unit=unit
    )


def _capped_counts(rows, *, cap: int) -> dict[str, int] | None:
    """How many distinct ``facet_unit`` there are for each ``facet_value`` among the
    first ``cap + 1`` of ``rows``; None when there are more than ``cap`` rows. One query:
    the rows' own SELECT, limited, grouped around it."""
    inner = rows.order_by().values_list("facet_value", "facet_unit")[: cap + 1]
    sql, params = inner.query.sql_with_params()
    connection = connections[rows.db]
    # The ORM cannot group around a limited subquery; the SQL around it names only
    # its two columns, and every value stays a parameter of the ORM's own SQL.
    value, unit = (connection.ops.quote_name(n) for n in ("facet_value", "facet_unit"))
    grouped = (
        f"SELECT {value}, COUNT(DISTINCT {unit}), COUNT(*) FROM ({sql}) facet_rows "  # noqa: S608
        f"GROUP BY {value}"
    )
    with connection.cursor() as cursor:
        cursor.execute(grouped, params)
        found = cursor.fetchall()
    if sum(n_rows for _, _, n_rows in found) > cap:
        return None
    return {value: n for value, n, _ in found if value is not None}


def recommendation_for_page(code: str) -> Recommendation:
    """The recommendation with meeting, session and speaker joined, its translation into
    the active language (``translated_text``) and its themes prefetched (two queries);
    raises ``Recommendation.DoesNotExist``."""
    return (
        Recommendation.objects.select_related("meeting", "session", "speaker")
        .with_translation()
        .prefetch_related("themes")
        .get(code=code)
    )


def follow_ups_with_timeline(
    recommendation: Recommendation, *, user, as_of: datetime.date | None = None
) -> list[FollowUp]:
    """Every delegation's follow-up of ``recommendation`` with ``shown_status`` (as of a
    day when given) and ``timeline``: its progress updates, newest first (only those
    dated on or before ``as_of``). Each update carries ``readable``; the note and the
    evidence of an update ``user`` may not read are blanked here, so no template can
    show them, while its status stays. Two queries (plus the user's role look-ups)."""
    follow_ups = list(
        FollowUp.objects.filter(recommendation=recommendation)
        .select_related("delegation")
        .annotate(shown_status=shown_status(as_of))
        .order_by(in_language("delegation__name"))
    )
    updates = ProgressUpdate.objects.filter(follow_up__recommendation=recommendation)
    if as_of is not None:
        updates = updates.filter(date__lte=as_of)
    updates = access.with_readable(user, updates).latest_first()
    by_follow_up: dict[int, list[ProgressUpdate]] = {}
    for update in updates:
        access.blank_unreadable(update)
        by_follow_up.setdefault(update.follow_up_id, []).append(update)
    for follow_up in follow_ups:
        follow_up.timeline = by_follow_up.get(follow_up.pk, [])
    return follow_ups


def status_totals(follow_ups, *, as_of: datetime.date | None = None) -> StatusCounts:
    """Per-status totals over a follow-up queryset. One grouped query."""
    rows = (
        _with_latest_update(follow_ups, as_of)
        .values("shown_status")
        .annotate(
            n=Count("pk"),
            n_verified=Count("pk", filter=Q(latest_verified_at__isnull=False)),
            n_self=Count(
                "pk", filter=Q(latest_date__isnull=False, latest_verified_at__isnull=True)
            ),
        )
        .order_by()
    )
    totals = StatusCounts()
    for row in rows:
        totals.add(row["shown_status"], row["n"], row["n_verified"], row["n_self"])
    return totals


@dataclass
class Breakdown:
    """One row of a per-theme or per-delegation progress table."""

    key: str
    name: str
    counts: StatusCounts = field(default_factory=StatusCounts)
    n_items: int = 0
    url: str = ""


def sessions_with_item_counts(meeting: Meeting) -> list[Session]:
    """The meeting's sessions in order, each with its facilitator and ``n_items``.
    One query."""
    return list(
        Session.objects.filter(meeting=meeting)
        .select_related("facilitator")
        .annotate(n_items=Count("recommendations"))
        .order_by("day", "order")
    )


def status_by_theme(meeting: Meeting, *, as_of: datetime.date | None = None) -> list[Breakdown]:
    """Every theme with its number of items in ``meeting`` and the per-status counts of
    their follow-ups. Two queries (themes with item counts; grouped follow-ups)."""
    themes = Theme.objects.annotate(
        n_items=Count("recommendations", filter=Q(recommendations__meeting=meeting))
    ).order_by("order", "name")
    rows = {
        theme.slug: Breakdown(theme.slug, theme.name, n_items=theme.n_items) for theme in themes
    }
    grouped = (
        FollowUp.objects.filter(recommendation__meeting=meeting)
        .annotate(shown_status=shown_status(as_of))
        .values("recommendation__themes__slug", "shown_status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in grouped:
        slug = row["recommendation__themes__slug"]
        if slug in rows:
            rows[slug].counts.add(row["shown_status"], row["n"])
    return list(rows.values())


def status_by_delegation(
    meeting: Meeting, *, as_of: datetime.date | None = None
) -> list[Breakdown]:
    """Each delegation following up items of ``meeting``, with its per-status counts,
    by name. One grouped query."""
    grouped = (
        FollowUp.objects.filter(recommendation__meeting=meeting)
        .annotate(shown_status=shown_status(as_of))
        .values("delegation__code", "shown_status", name=in_language("delegation__name"))
        .annotate(n=Count("pk"))
        .order_by("name", "delegation__code")
    )
    rows: dict[str, Breakdown] = {}
    for row in grouped:
        code = row["delegation__code"]
        breakdown = rows.setdefault(code, Breakdown(code, row["name"]))
        breakdown.counts.add(row["shown_status"], row["n"])
    return list(rows.values())


@dataclass
class Transition:
    from_status: str
    to_status: str
    n: int

    @property
    def from_label(self) -> str:
        return State(self.from_status).label

    @property
    def to_label(self) -> str:
        return State(self.to_status).label


def status_changes(
    follow_ups, *, since: datetime.date, as_of: datetime.date | None = None
) -> list[Transition]:
    """How many follow-ups went from each status (in force at the end of ``since``) to
    each status (current, or at ``as_of``), counting those with a progress update dated
    after ``since`` (and on or before ``as_of``). One grouped query."""
    moved = ProgressUpdate.objects.filter(follow_up=OuterRef("pk"), date__gt=since)
    if as_of is not None:
        moved = moved.filter(date__lte=as_of)
    rows = (
        follow_ups.filter(Exists(moved))
        .annotate(from_status=status_on(since), shown_status=shown_status(as_of))
        .values("from_status", "shown_status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    rank = {value: i for i, value in enumerate(State.values)}
    transitions = [Transition(r["from_status"], r["shown_status"], r["n"]) for r in rows]
    return sorted(transitions, key=lambda t: (rank[t.from_status], rank[t.to_status]))


def meetings_on_the_road() -> list[Meeting]:
    """The real meetings, in date order, each with ``n_items``. One query."""
    return list(
        Meeting.objects.real().annotate(n_items=Count("recommendations")).order_by("start_date")
    )


def default_meeting(meetings: list[Meeting]) -> Meeting | None:
    """The latest real meeting of ``meetings`` (already read): no query."""
    return meetings[-1] if meetings else None


def previous_meeting_date(meetings: list[Meeting], today: datetime.date) -> datetime.date | None:
    """The end date of the latest real meeting that ended before ``today``: no query."""
    ended = [m.end_date for m in meetings if m.end_date < today]
    return max(ended) if ended else None
