"""The roster: the delegations taking part in the follow-up.

Every roster delegation has a follow-up of every item, so that an item nobody has
reported on is still on every page, as "No report yet" (the follow-up's status until
its first progress update). ``roster_fill`` keeps that true; it is called when a
delegation joins the roster and when items arrive (``load_demo``, the admin, the
synthetic data).
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q

from ..models import Delegation, FollowUp, Recommendation

BATCH = 1000


@transaction.atomic
def roster_fill(*, recommendations=None, delegations=None) -> int:
    """Create the missing follow-ups of ``recommendations`` (a queryset, every item by
    default) by the roster delegations among ``delegations`` (every roster delegation
    by default), each targeted at the date of the meeting its item's meeting prepares.
    Returns how many were created, so a second run returns 0. Three queries, plus
    one INSERT per thousand follow-ups created."""
    if recommendations is None:
        recommendations = Recommendation.objects.all()
    if delegations is None:
        delegations = Delegation.objects.all()
    roster = list(delegations.on_roster().values_list("pk", flat=True))
    if not roster:
        return 0
    items = list(recommendations.values_list("pk", "meeting__target_date"))
    followed = set(
        FollowUp.objects.filter(
            delegation_id__in=roster, recommendation_id__in=[pk for pk, _ in items]
        ).values_list("recommendation_id", "delegation_id")
    )
    missing = [
        FollowUp(recommendation_id=item, delegation_id=delegation, target_date=target_date)
        for item, target_date in items
        for delegation in roster
        if (item, delegation) not in followed
    ]
    # A concurrent fill may have created some of them: the unique pair keeps one.
    FollowUp.objects.bulk_create(missing, batch_size=BATCH, ignore_conflicts=True)
    return len(missing)


# A follow-up holds nothing of its own yet: no report, pledge or lead.
EMPTY = Q(last_update_date__isnull=True, pledge="", lead="")


@transaction.atomic
def delegation_save(*, delegation: Delegation) -> int:
    """Validate and save ``delegation``; on the roster, give it a follow-up of every
    item; off it, remove its follow-ups that hold nothing (no report, pledge or lead),
    so that nothing anyone wrote is lost. Returns how many follow-ups were created or
    removed."""
    delegation.full_clean()
    delegation.save()
    if delegation.on_roster:
        return roster_fill(delegations=Delegation.objects.filter(pk=delegation.pk))
    removed, _ = FollowUp.objects.filter(EMPTY, delegation=delegation).delete()
    return removed


def delegations_set_roster(*, delegations, on_roster: bool) -> int:
    """Put ``delegations`` on the roster or take them off it (``delegation_save`` for
    each), in one transaction. Returns how many delegations changed."""
    changed = 0
    with transaction.atomic():
        for delegation in delegations.select_for_update().order_by("pk"):
            if delegation.on_roster != on_roster:
                delegation.on_roster = on_roster
                delegation_save(delegation=delegation)
                changed += 1
    return changed
