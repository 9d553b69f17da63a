"""Applying an import plan of progress updates (``imports.build_plan``)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .. import access
from ..imports import WRITES
from ..models import Delegation, FollowUp, ProgressUpdate, Recommendation
from .follow_ups import follow_up_create
from .progress_updates import progress_update_create


@dataclass
class ImportResult:
    """What an import wrote: updates recorded, follow-ups created, rows skipped."""

    updates: int = 0
    follow_ups: int = 0
    skipped: int = 0


@transaction.atomic
def progress_updates_import(*, plan, user) -> ImportResult:
    """Apply an import plan (``imports.build_plan``): every ``new`` row becomes a progress
    update through ``progress_update_create`` (so the status follows and the author is
    recorded), creating the follow-up first where the delegation had none. All or
    nothing, in one transaction. Refuses a plan with errors (``ValidationError``) and
    raises ``PermissionError`` if the user may not edit one of the follow-ups; either
    way nothing is written. A row whose update is already recorded (a second run, a
    double submit) is skipped, so importing the same file twice adds nothing.
    Queries: a handful per row written."""
    if not plan.is_valid:
        raise ValidationError(_("The file has errors; nothing was imported."))
    result = ImportResult()
    for row in plan.rows:
        if row.action not in WRITES:
            result.skipped += 1
            continue
        follow_up = (
            FollowUp.objects.select_related("delegation")
            .filter(recommendation_id=row.recommendation_id, delegation_id=row.delegation_id)
            .first()
        )
        if follow_up is None:
            follow_up = follow_up_create(
                recommendation=Recommendation.objects.select_related("meeting").get(
                    pk=row.recommendation_id
                ),
                delegation=Delegation.objects.get(pk=row.delegation_id),
                user=user,
            )
            result.follow_ups += 1
        else:
            access.check_may_edit(user, follow_up)
            already = ProgressUpdate.objects.filter(
                follow_up=follow_up, date=row.date, status=row.status
            )
            if row.note is not None:
                already = already.filter(note=row.note)
            if row.evidence_url is not None:
                already = already.filter(evidence_url=row.evidence_url)
            if already.exists():
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
