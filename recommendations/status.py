"""The status rules, each written once.

- ``Status``: the reported statuses in workflow order, with ``OPEN`` (still calling for
  action) and ``CLOSED`` (completed or not applicable); ``State``: "No report yet"
  (``NOT_REPORTED``) then the reported statuses, what a follow-up shows.
- ``LATEST_FIRST``: the order that decides which progress update is a follow-up's latest
  (date, then entry time, then id). The database triggers of migration 0005 that keep
  ``FollowUp.status`` follow the same order; the status rule tests hold them to it.
- ``overdue_q``: a follow-up is overdue when its target date has passed and its status
  is open.
- ``latest_update`` / ``status_on``: the latest update's field (the status in force) at
  the end of a day, as one correlated subquery served by ``pu_follow_up_latest_idx``.
- ``with_previous_status``: each update's previous status, from the follow-up's whole
  history.
- ``refuse_future``: no progress update is dated after today.
- ``no_report_yet``: an item a delegation has not reported on: no follow-up of it by
  that delegation, or one without any progress update.

This module imports no model at import time, so every other module may import it.
"""

from __future__ import annotations

import datetime

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import (
    Case,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.expressions import RowRange
from django.db.models.functions import Coalesce, FirstValue, Lag
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    """A reported status, in workflow order."""

    NOT_STARTED = "not_started", _("Not started")
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")


# What an item x delegation pair shows: "No report yet" until the delegation's first
# progress update, then the reported status. A follow-up's kept status column holds it.
NOT_REPORTED = "not_reported"
State = models.TextChoices(
    "State",
    [("NOT_REPORTED", (NOT_REPORTED, _("No report yet")))]
    + [(member.name, (member.value, member.label)) for member in Status],
)

# States that still call for action: "overdue" and reminders look at these only. No
# report yet is one of them: the delegation owes a report.
OPEN = (NOT_REPORTED, Status.NOT_STARTED, Status.PLANNED, Status.IN_PROGRESS)
CLOSED = (Status.COMPLETED, Status.NOT_APPLICABLE)

# Which progress update of a follow-up is its latest: the latest dated, then the latest
# entered, then the highest id. Oldest first is the reverse.
LATEST_FIRST = ("-date", "-created_at", "-id")
OLDEST_FIRST = tuple(name.removeprefix("-") for name in LATEST_FIRST)

FUTURE_DATE_MESSAGE = _("The date of an update cannot be in the future.")


def rank(field: str = "status") -> Case:
    """An integer expression ordering ``field`` by workflow order, "No report yet" first
    (unknown values last)."""
    return Case(
        *[When(**{field: value}, then=Value(i)) for i, value in enumerate(State.values)],
        default=Value(len(State.values)),
        output_field=IntegerField(),
    )


def overdue_q(
    today: datetime.date | None = None, *, status: str = "status", target: str = "target_date"
) -> Q:
    """Follow-ups whose target date passed before ``today`` (the local date by default)
    while their status (the field ``status``) is open."""
    today = today or timezone.localdate()
    return Q(**{f"{target}__lt": today, f"{status}__in": OPEN})


def is_overdue(target_date: datetime.date | None, status: str, today=None) -> bool:
    """``overdue_q`` for one follow-up already in memory."""
    today = today or timezone.localdate()
    return bool(target_date and target_date < today and status in OPEN)


def refuse_future(date: datetime.date | None, *, field: str = "date") -> None:
    """Raise ``ValidationError`` when ``date`` is after today (the local date)."""
    if date and date > timezone.localdate():
        raise ValidationError({field: FUTURE_DATE_MESSAGE}, code="future")


def _updates():
    return apps.get_model("recommendations", "ProgressUpdate").objects


def _follow_ups():
    return apps.get_model("recommendations", "FollowUp").objects


def no_report_yet(delegation, *, item: str = "pk", as_of: datetime.date | None = None):
    """The condition "the recommendation ``OuterRef(item)`` has no progress update from
    ``delegation``" (a delegation or its id): the delegation has no follow-up of it, or
    one without any progress update (dated on or before ``as_of`` when given).

    A boolean expression for ``filter()``, ``exclude()`` and ``When()``, on a queryset
    of recommendations (or of rows reaching one at ``item``). One correlated subquery,
    served by the unique index of the follow-up pair; without ``as_of`` it reads the
    follow-up's last update date, which the database keeps in step with its history.
    Adds no query."""
    if as_of is None:
        reported = _follow_ups().filter(
            recommendation=OuterRef(item), delegation=delegation, last_update_date__isnull=False
        )
    else:
        reported = _updates().filter(
            follow_up__recommendation=OuterRef(item),
            follow_up__delegation=delegation,
            date__lte=as_of,
        )
    return ~Exists(reported)


_NO_DEFAULT = object()


def latest_update(
    field: str, as_of: datetime.date | None = None, *, outer: str = "pk", default=_NO_DEFAULT
):
    """``field`` of the latest progress update (dated on or before ``as_of`` when given)
    of the follow-up ``OuterRef(outer)``: one correlated subquery. For ``status`` the
    default (no update yet) is ``not_reported``; for other fields, NULL."""
    latest = _updates().filter(follow_up=OuterRef(outer))
    if as_of is not None:
        latest = latest.filter(date__lte=as_of)
    value = Subquery(latest.order_by(*LATEST_FIRST).values(field)[:1])
    if default is _NO_DEFAULT:
        default = NOT_REPORTED if field == "status" else None
    return value if default is None else Coalesce(value, Value(default))


def status_on(as_of: datetime.date, *, outer: str = "pk"):
    """The status in force at the end of ``as_of`` for the follow-up ``OuterRef(outer)``."""
    return latest_update("status", as_of, outer=outer)


def shown_status(as_of: datetime.date | None):
    """The status a page shows: today's (the kept column) or the one in force at
    ``as_of``."""
    return status_on(as_of) if as_of else F("status")


def with_shown_status(follow_ups, as_of: datetime.date | None):
    """Annotate ``shown_status`` on follow-ups: ``shown_status(as_of)``. Only once: a
    queryset that already carries it (the follow-up filter adds it to filter on it) is
    returned as it is, so the subquery is not computed twice. Adds no query."""
    if "shown_status" in follow_ups.query.annotations:
        return follow_ups
    return follow_ups.annotate(shown_status=shown_status(as_of))


def with_previous_status(
    updates,
    *,
    after: datetime.date | None = None,
    until: datetime.date | None = None,
):
    """Annotate ``previous_status`` on progress updates: the status of the follow-up's
    update before each one (``not_reported`` before the first), from its whole history.

    ``until`` keeps the updates dated on or before that day (dropping later ones never
    changes the previous status of earlier ones); ``after`` keeps those dated after that
    day, applied once the window is computed, so the first kept update still sees the
    one before it. Adds no query."""
    if until is not None:
        updates = updates.filter(date__lte=until)
    window = {"partition_by": [F("follow_up_id")], "order_by": list(OLDEST_FIRST)}
    updates = updates.annotate(
        previous_status=Window(Lag("status", default=Value(NOT_REPORTED)), **window)
    )
    if after is not None:
        # A condition on a window value is applied to the computed windows (Django wraps
        # the query), while a condition on a column would be pushed below them.
        updates = updates.annotate(
            own_date=Window(FirstValue("date"), frame=RowRange(start=0, end=0), **window)
        ).filter(own_date__gt=after)
    return updates


# The overdue rule as pages show it. A follow-up's target date defaults to the date of
# the meeting its item prepares (the Ministerial); once that meeting has passed, every
# open follow-up still on that default is late for the same reason, which a page says
# once at the top rather than on each row. A target of the follow-up's own that passed
# is news about that follow-up, and keeps its badge.


def due_by_target_meeting_q(
    today: datetime.date | None = None,
    *,
    status: str = "status",
    target: str = "target_date",
    meeting_target: str = "recommendation__meeting__target_date",
) -> Q:
    """``overdue_q`` for the follow-ups whose target date is the date of the meeting
    their item prepares (the field ``meeting_target``): that meeting passed before
    ``today`` while they are open."""
    return overdue_q(today, status=status, target=target) & Q(**{target: F(meeting_target)})


def due_by_target_meeting(
    target_date: datetime.date | None,
    status: str,
    meeting_target_date: datetime.date | None,
    today=None,
) -> bool:
    """``due_by_target_meeting_q`` for one follow-up already in memory."""
    return is_overdue(target_date, status, today) and target_date == meeting_target_date


def overdue_on_own_target(
    target_date: datetime.date | None,
    status: str,
    meeting_target_date: datetime.date | None,
    today=None,
) -> bool:
    """Overdue (``is_overdue``) on a target date of the follow-up's own, one other than
    the date of the meeting its item prepares: what an "Overdue" badge says. The rest
    of the overdue follow-ups are ``due_by_target_meeting``."""
    return is_overdue(target_date, status, today) and target_date != meeting_target_date
