"""The workspace's reads. None of them runs a query by itself: each returns a queryset
(or an expression) that the page evaluates in a fixed number of queries, whatever the
number of items, follow-ups or updates.
"""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import Case, Count, F, FilteredRelation, IntegerField, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import access
from ..models import Delegation, FollowUp, ProgressUpdate, Recommendation, real_meetings
from ..status import LATEST_FIRST, OPEN, latest_update, no_report_yet, overdue_q

# An open follow-up whose target date falls within this many days is "due soon".
DUE_SOON_DAYS = 30


class Need(models.TextChoices):
    """What an item needs from a delegation, in the order the workspace lists them."""

    NO_REPORT = "no_report", _("No report yet")
    OVERDUE = "overdue", _("Overdue")
    DUE_SOON = "due_soon", _("Due within 30 days")
    IN_PROGRESS = "in_progress", _("In progress")
    CLOSED = "closed", _("Done or not applicable")


def need_rank(delegation, *, today: datetime.date) -> Case:
    """The place in ``Need`` (0: no report yet) of each recommendation for
    ``delegation``, from its follow-up joined as ``mine``: no report yet
    (``status.no_report_yet``), then overdue (``status.overdue_q``), due within
    ``DUE_SOON_DAYS``, still open, and closed."""
    soon = today + datetime.timedelta(days=DUE_SOON_DAYS)
    is_open = Q(mine__status__in=OPEN)
    conditions = [
        no_report_yet(delegation),
        overdue_q(today, status="mine__status", target="mine__target_date"),
        is_open & Q(mine__target_date__gte=today, mine__target_date__lte=soon),
        is_open,
    ]
    return Case(
        *[When(condition, then=Value(i)) for i, condition in enumerate(conditions)],
        default=Value(len(conditions)),
        output_field=IntegerField(),
    )


def need_at(rank: int) -> Need:
    """The ``Need`` at a place given by ``need_rank``."""
    return Need(Need.values[rank])


def workspace_items(delegation: Delegation, queryset=None, *, today=None):
    """The recommendations of the real meetings (``queryset``, already filtered, or all)
    as ``delegation`` sees them: each with ``need_rank`` (``need_at`` names it), and from
    the delegation's follow-up
    (``None`` without one) ``follow_up_id``, ``follow_up_status``, ``follow_up_target``,
    ``last_update`` and ``last_verified_at``; meeting and session joined; by need, then
    in reading order. Adds no query."""
    today = today or timezone.localdate()
    items = Recommendation.objects.all() if queryset is None else queryset
    items = (
        items.filter(real_meetings("meeting__"))
        .select_related("meeting", "session")
        .annotate(
            mine=FilteredRelation("follow_ups", condition=Q(follow_ups__delegation=delegation))
        )
        .annotate(
            need_rank=need_rank(delegation, today=today),
            follow_up_id=F("mine__id"),
            follow_up_status=F("mine__status"),
            follow_up_target=F("mine__target_date"),
            last_update=F("mine__last_update_date"),
        )
        .annotate(last_verified_at=latest_update("verified_at", outer="follow_up_id"))
    )
    return items.order_by("need_rank", "sort_key")


def need_counts(items) -> dict[Need, int]:
    """How many of ``items`` (from ``workspace_items``) fall in each need, every need
    present, in need order. One grouped query."""
    counts = dict.fromkeys(Need, 0)
    for row in items.order_by().values("need_rank").annotate(n=Count("pk")):
        counts[need_at(row["need_rank"])] = row["n"]
    return counts


def item_for_report(delegation: Delegation, code: str) -> Recommendation:
    """The recommendation ``code`` of a real meeting, with meeting, session and speaker
    joined and themes prefetched, plus ``follow_up``: the delegation's follow-up of it or
    ``None``. Three queries; raises ``Recommendation.DoesNotExist``."""
    item = (
        Recommendation.objects.real()
        .select_related("meeting", "session", "speaker")
        .prefetch_related("themes")
        .get(code=code)
    )
    item.follow_up = FollowUp.objects.filter(recommendation=item, delegation=delegation).first()
    if item.follow_up is not None:
        item.follow_up.recommendation = item
    return item


def item_timeline(follow_up: FollowUp | None, *, user) -> list[ProgressUpdate]:
    """The follow-up's progress updates, newest first, with author and verifier joined;
    each carries ``readable`` and ``may_change`` (may ``user`` correct it?). One query
    (none without a follow-up)."""
    if follow_up is None:
        return []
    updates = access.with_readable(
        user,
        ProgressUpdate.objects.filter(follow_up=follow_up).select_related("author", "verified_by"),
    ).order_by(*LATEST_FIRST)
    timeline = []
    for update in updates:
        update.follow_up = follow_up
        timeline.append(_decorated(update, user, follow_up.delegation_id))
    return timeline


def _decorated(update: ProgressUpdate, user, delegation_id: int) -> ProgressUpdate:
    access.blank_unreadable(update)
    update.may_change = access.may_change_update(user, update, delegation_id)
    return update


def delegation_history(delegation: Delegation, *, user):
    """Every progress update of the delegation's follow-ups, newest first
    (``LATEST_FIRST``), with item, author and verifier joined and ``readable``
    annotated. Adds no query; ``decorate`` the rows of a page once read."""
    updates = ProgressUpdate.objects.filter(follow_up__delegation=delegation).select_related(
        "follow_up__recommendation", "author", "verified_by"
    )
    return access.with_readable(user, updates).order_by(*LATEST_FIRST)


def decorate(updates, *, user, delegation_id: int) -> list[ProgressUpdate]:
    """Blank what ``user`` may not read and set ``may_change`` on rows already read
    (annotated ``readable``). No query."""
    return [_decorated(update, user, delegation_id) for update in updates]


def update_for_correction(delegation: Delegation, pk: int, *, user) -> ProgressUpdate:
    """The progress update ``pk`` of one of the delegation's follow-ups, if ``user`` may
    edit that delegation's follow-ups at all, with item, author and verifier joined,
    ``readable`` and ``may_change``. One query; raises ``ProgressUpdate.DoesNotExist``."""
    updates = access.editable(
        user,
        ProgressUpdate.objects.filter(follow_up__delegation=delegation),
        "follow_up__delegation",
    ).select_related("follow_up__recommendation", "follow_up__delegation", "author", "verified_by")
    update = access.with_readable(user, updates).get(pk=pk)
    return _decorated(update, user, delegation.pk)


def awaiting_verification(*, delegation: Delegation | None = None):
    """Self-reported updates waiting for the Secretariat: not verified, entered by a
    focal-point account (of ``delegation`` only when given); oldest entered first, with
    item, delegation and author joined. Adds no query."""
    focal_points = get_user_model().objects.filter(access.focal_point_accounts())
    updates = ProgressUpdate.objects.filter(
        verified_at__isnull=True, author__in=focal_points.values("pk")
    )
    if delegation is not None:
        updates = updates.filter(follow_up__delegation=delegation)
    return updates.select_related(
        "follow_up__recommendation", "follow_up__delegation", "author"
    ).order_by("created_at", "id")


def delegations_with_waiting() -> list[Delegation]:
    """Every delegation by name, each with ``n_waiting``: its updates waiting for
    verification. One query."""
    focal_points = get_user_model().objects.filter(access.focal_point_accounts())
    waiting = Q(
        follow_ups__updates__verified_at__isnull=True,
        follow_ups__updates__author__in=focal_points.values("pk"),
    )
    return list(
        Delegation.objects.annotate(
            n_waiting=Count("follow_ups__updates", filter=waiting)
        ).order_by("name")
    )
