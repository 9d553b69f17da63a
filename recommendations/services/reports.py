"""Writes of the workspace's one report form: a delegation's report on one item, and
the correction of one of its updates. Each composes the services of ``follow_ups``
and ``progress_updates`` in one transaction and adds no rule of its own: who may
write, the version check and the refusal of future dates are theirs.
"""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction

from .. import access
from ..models import FollowUp, ProgressUpdate, Recommendation
from .follow_ups import UNSET, StaleEditError, follow_up_create, follow_up_update
from .progress_updates import progress_update_change, progress_update_create


@transaction.atomic
def report_submit(
    *,
    recommendation: Recommendation,
    delegation,
    user,
    version: int | None,
    date: datetime.date,
    status: str,
    note: str = "",
    evidence_url: str = "",
    visibility: str = ProgressUpdate.Visibility.PUBLIC,
    pledge=UNSET,
    target_date=UNSET,
) -> ProgressUpdate:
    """Record ``delegation``'s report on ``recommendation``: create its follow-up when
    it has none (with ``pledge`` and ``target_date``), or change those two fields when
    they differ, then add the progress update; all or nothing.

    ``version`` is the follow-up's version when the form was opened, ``None`` when it
    had no follow-up then; if the follow-up has changed (or appeared) since,
    ``StaleEditError`` is raised and nothing is written. Raises ``PermissionError``
    unless ``user`` may edit the delegation's follow-ups, before anything else."""
    access.check_may_edit(user, FollowUp(recommendation=recommendation, delegation=delegation))
    follow_up = FollowUp.objects.filter(
        recommendation=recommendation, delegation=delegation
    ).first()
    if follow_up is None:
        if version is not None:  # deleted since the form was opened
            raise StaleEditError(FollowUp(recommendation=recommendation, delegation=delegation))
        try:
            with transaction.atomic():
                follow_up = follow_up_create(
                    recommendation=recommendation,
                    delegation=delegation,
                    target_date=None if target_date is UNSET else target_date,
                    pledge="" if pledge is UNSET else pledge,
                    user=user,
                )
        except IntegrityError:  # created by someone else a moment ago
            raise StaleEditError(
                FollowUp.objects.get(recommendation=recommendation, delegation=delegation)
            ) from None
        version = follow_up.version
    elif version is None:  # created by someone else since the form was opened
        raise StaleEditError(follow_up)
    else:
        changes = {
            name: value
            for name, value in (("pledge", pledge), ("target_date", target_date))
            if value is not UNSET and value != getattr(follow_up, name)
        }
        if changes:
            follow_up = follow_up_update(follow_up=follow_up, version=version, user=user, **changes)
            version = follow_up.version
    return progress_update_create(
        follow_up=follow_up,
        date=date,
        status=status,
        note=note,
        evidence_url=evidence_url,
        visibility=visibility,
        author=user,
        expected_version=version,
    )


@transaction.atomic
def report_correct(
    *,
    update: ProgressUpdate,
    user,
    version: int,
    date: datetime.date,
    status: str,
    note: str,
    evidence_url: str,
    visibility: str,
) -> ProgressUpdate:
    """Correct one progress update from the workspace: refused (``PermissionError``)
    when ``user`` may not change it (a focal point and a verified update), refused
    (``StaleEditError``) when the update changed since ``version`` was read; both
    checked by ``progress_update_change`` under the update's lock."""
    return progress_update_change(
        update=update,
        version=version,
        user=user,
        date=date,
        status=status,
        note=note,
        evidence_url=evidence_url,
        visibility=visibility,
    )
