"""Applying an import plan of progress updates (``imports.build_plan``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from .. import access
from ..imports import WRITES, PlanRow
from ..models import Delegation, FollowUp, ProgressUpdate, Recommendation
from .conflicts import retry_on_collision
from .follow_ups import follow_up_create
from .progress_updates import progress_update_create


@dataclass
class ImportResult:
    """What an import wrote: updates recorded, follow-ups created, rows skipped."""

    updates: int = 0
    follow_ups: int = 0
    skipped: int = 0

    def add(self, other: ImportResult) -> None:
        self.updates += other.updates
        self.follow_ups += other.follow_ups
        self.skipped += other.skipped


def progress_updates_import(*, plan, user) -> ImportResult:
    """Apply an import plan (``imports.build_plan``) whole, in one transaction
    (``progress_updates_import_rows``). Refuses a plan with errors
    (``ValidationError``); nothing is written then."""
    if not plan.is_valid:
        raise ValidationError(_("The file has errors; nothing was imported."))
    return progress_updates_import_rows(rows=plan.rows, user=user)


@retry_on_collision
@transaction.atomic
def progress_updates_import_rows(*, rows: Iterable[PlanRow], user) -> ImportResult:
    """Apply planned rows, all or nothing, in one transaction: every ``new`` row becomes
    a progress update through ``progress_update_create`` (so the status follows and the
    author is recorded), creating the follow-up first where the delegation had none.

    Concurrent imports of one file, and an import beside a bulk status change, neither
    duplicate nor deadlock: the missing follow-ups are created in one order (a
    concurrent creation of the same one is waited for and reused), then every follow-up
    the rows touch is locked, by id ascending, before any row is checked. A row whose
    update is already recorded (by a second run, a double submit, a concurrent import)
    is then skipped. Raises ``PermissionError`` if the user may not edit one of the
    follow-ups (nothing is written). Queries: two, plus a handful per row written."""
    result = ImportResult()
    writes = []
    for row in rows:
        if row.action in WRITES:
            writes.append(row)
        else:
            result.skipped += 1
    follow_ups = _lock_follow_ups(writes, user, result)
    for row in writes:
        follow_up = follow_ups[(row.recommendation_id, row.delegation_id)]
        access.check_may_edit(user, follow_up)
        if _recorded(follow_up, row):
            result.skipped += 1
            continue
        progress_update_create(
            follow_up=follow_up,
            date=row.date,
            status=row.status,
            note=row.note or "",
            evidence_url=row.evidence_url or "",
            visibility=row.visibility,
            author=user,
        )
        result.updates += 1
    return result


def _existing(pairs) -> dict[tuple[int, int], int]:
    """Follow-up ids by (recommendation, delegation), of those pairs. One query."""
    recommendations = {rec for rec, _dele in pairs}
    delegations = {dele for _rec, dele in pairs}
    found = FollowUp.objects.filter(
        recommendation_id__in=recommendations, delegation_id__in=delegations
    ).values_list("recommendation_id", "delegation_id", "pk")
    return {(rec, dele): pk for rec, dele, pk in found if (rec, dele) in pairs}


def _lock_follow_ups(rows, user, result) -> dict[tuple[int, int], FollowUp]:
    pairs = {(row.recommendation_id, row.delegation_id) for row in rows}
    ids = _existing(pairs)
    for pair in sorted(pairs - ids.keys()):
        follow_up, created = _follow_up_get_or_create(*pair, user=user)
        ids[pair] = follow_up.pk
        result.follow_ups += created
    locked = FollowUp.objects.select_for_update().filter(pk__in=ids.values()).order_by("pk")
    by_pk = {follow_up.pk: follow_up for follow_up in locked}
    return {pair: by_pk[pk] for pair, pk in ids.items()}


def _follow_up_get_or_create(recommendation_id, delegation_id, *, user):
    """The pair's follow-up, created if missing. A concurrent import creating the same
    one is waited for (the unique constraint), and its follow-up used."""
    try:
        with transaction.atomic():
            return (
                follow_up_create(
                    recommendation=Recommendation.objects.select_related("meeting").get(
                        pk=recommendation_id
                    ),
                    delegation=Delegation.objects.get(pk=delegation_id),
                    user=user,
                ),
                True,
            )
    except (IntegrityError, ValidationError):
        existing = FollowUp.objects.filter(
            recommendation_id=recommendation_id, delegation_id=delegation_id
        ).first()
        if existing is None:
            raise
        return existing, False


def _recorded(follow_up, row) -> bool:
    """Is the row's update already in the follow-up's history? One query (under the
    follow-up's lock, so a concurrent import's rows are seen once committed)."""
    already = ProgressUpdate.objects.filter(follow_up=follow_up, date=row.date, status=row.status)
    if row.note is not None:
        already = already.filter(note=row.note)
    if row.evidence_url is not None:
        already = already.filter(evidence_url=row.evidence_url)
    return already.exists()
