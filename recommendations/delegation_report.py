"""The follow-up report of one delegation: what ``/delegations/<code>/report/`` and its
PDF show, read in a fixed number of queries whatever the number of follow-ups.

Every follow-up of the delegation, with the state it showed at the end of ``as_of``
(today's when none is given), its latest progress update by then (the note blanked
for a reader who may not read it, as on the item's page), its pledge and target date;
grouped by theme or by session.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from itertools import groupby

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import access
from .models import Delegation, FollowUp, ProgressUpdate, Theme
from .status import State, latest_update, shown_status

BY_THEME = "theme"
BY_SESSION = "session"
GROUPINGS = [
    (BY_THEME, gettext_lazy("By theme")),
    (BY_SESSION, gettext_lazy("By session")),
]


@dataclass
class ReportGroup:
    """One section of the report: a theme or a session and its follow-ups."""

    key: str
    title: str
    rows: list[FollowUp] = field(default_factory=list)
    subtitle: str = ""


@dataclass
class DelegationReport:
    delegation: Delegation
    as_of: datetime.date | None
    day: datetime.date
    group_by: str
    rows: list[FollowUp]
    groups: list[ReportGroup]

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def state_counts(self) -> list[tuple[str, int]]:
        """``(state, n)`` for the states the rows show, in workflow order ("No report
        yet" first); a value unknown to ``State`` comes last rather than vanishing."""
        counts: dict[str, int] = {}
        for row in self.rows:
            counts[row.shown_status] = counts.get(row.shown_status, 0) + 1
        order = {value: i for i, value in enumerate(State.values)}
        return sorted(counts.items(), key=lambda pair: (order.get(pair[0], len(order)), pair[0]))

    @property
    def is_illustrative(self) -> bool:
        """Whether any follow-up shown is illustrative sample data."""
        return any(row.is_illustrative for row in self.rows)

    @property
    def repeats_items(self) -> bool:
        """Whether an item is listed under more than one theme."""
        return self.group_by == BY_THEME and any(len(row.theme_list) > 1 for row in self.rows)


def _latest_updates(follow_ups, *, user, as_of):
    """The latest progress update (by ``as_of`` when given) of each of ``follow_ups``
    (a queryset), by follow-up id, each carrying ``readable`` and blanked when ``user``
    may not read it. One query: the ids are a subquery, not a list."""
    latest = latest_update("id", as_of, default=None)
    latest_ids = follow_ups.annotate(latest_id=latest).values("latest_id")
    updates = access.with_readable(user, ProgressUpdate.objects.filter(pk__in=latest_ids))
    result = {}
    for update in updates.order_by():
        access.blank_unreadable(update)
        result[update.follow_up_id] = update
    return result


def _by_theme(rows: list[FollowUp]) -> list[ReportGroup]:
    """A group per theme, in the themes' order, listing every item of that theme (an
    item on several themes is under each); items without a theme last."""
    groups: dict[int | None, ReportGroup] = {}
    themes: dict[int, Theme] = {}
    for row in rows:
        for theme in row.theme_list:
            themes[theme.pk] = theme
    for theme in sorted(themes.values(), key=lambda t: (t.order, t.name, t.pk)):
        groups[theme.pk] = ReportGroup(key=f"theme-{theme.slug}", title=theme.name)
    for row in rows:
        for theme in row.theme_list:
            groups[theme.pk].rows.append(row)
        if not row.theme_list:
            groups.setdefault(None, ReportGroup(key="theme-none", title=_("No theme")))
            groups[None].rows.append(row)
    return list(groups.values())


def _by_session(rows: list[FollowUp]) -> list[ReportGroup]:
    """A group per session, in reading order (the rows' own order)."""
    meetings = {row.recommendation.session.meeting_id for row in rows}
    groups = []
    for _session_id, members in groupby(rows, key=lambda row: row.recommendation.session_id):
        members = list(members)
        session = members[0].recommendation.session
        groups.append(
            ReportGroup(
                key=f"session-{session.pk}",
                title=f"{session.code}: {session.title}",
                rows=members,
                subtitle=session.meeting.title if len(meetings) > 1 else "",
            )
        )
    return groups


def delegation_report(
    delegation: Delegation,
    *,
    user,
    as_of: datetime.date | None = None,
    today: datetime.date,
    group_by: str = BY_THEME,
) -> DelegationReport:
    """Every follow-up of ``delegation`` in reading order, each with ``shown_status``
    (in force at the end of ``as_of``, today's without it), ``latest`` (its latest
    progress update by then, or ``None``; note and evidence blanked unless ``user`` may
    read them) and ``theme_list``; grouped by theme or by session. Three queries (the
    follow-ups with their items, sessions and meetings; the items' themes; the latest
    updates), plus the user's role look-ups."""
    follow_ups = FollowUp.objects.filter(delegation=delegation)
    rows = list(
        follow_ups.select_related("recommendation__session__meeting")
        .prefetch_related(Prefetch("recommendation__themes", queryset=Theme.objects.all()))
        .annotate(shown_status=shown_status(as_of))
        .order_by("recommendation__sort_key", "recommendation__code")
    )
    latest = _latest_updates(follow_ups, user=user, as_of=as_of)
    for row in rows:
        row.delegation = delegation  # already read: the item links need its code
        row.latest = latest.get(row.pk)
        row.theme_list = list(row.recommendation.themes.all())
    groups = _by_session(rows) if group_by == BY_SESSION else _by_theme(rows)
    return DelegationReport(
        delegation=delegation,
        as_of=as_of,
        day=as_of or today,
        group_by=group_by,
        rows=rows,
        groups=groups,
    )
