"""Writes of follow-ups: create, change their own fields, set the status of many."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from .. import access
from ..models import FollowUp, Recommendation

UNSET = object()


class StaleEditError(Exception):
    """The follow-up changed since the editor loaded it; nothing was written."""

    def __init__(self, follow_up):
        self.follow_up = follow_up
        super().__init__(
            _(
                "%(follow_up)s was changed by someone else since you opened it. "
                "Reload the page to see the latest version, then make your change again."
            )
            % {"follow_up": follow_up}
        )


def lock(follow_up: FollowUp) -> FollowUp:
    """Re-read the follow-up under a row lock (PostgreSQL), so concurrent writers of
    one follow-up queue. Only the follow-up's row: locking the joined delegation too
    would make writers of different follow-ups queue, and deadlock. One query."""
    return (
        FollowUp.objects.select_for_update(of=("self",))
        .select_related("delegation")
        .get(pk=follow_up.pk)
    )


def history_changed(follow_up: FollowUp) -> None:
    """After a write to the follow-up's history (under its lock): read the status and
    date the database triggers derived, and bump the version, so a form opened before
    the change is stale. Records the follow-up's history. Two queries."""
    follow_up.refresh_from_db(fields=["status", "last_update_date"])
    follow_up.version += 1
    follow_up.save(update_fields=["version", "updated_at"])


def follow_up_create(
    *,
    recommendation: Recommendation,
    delegation,
    target_date: datetime.date | None = None,
    pledge: str = "",
    lead: str = "",
    user=None,
) -> FollowUp:
    """Create one delegation's follow-up of one recommendation. The target date defaults
    to the date of the meeting the recommendation's meeting prepares."""
    follow_up = FollowUp(
        recommendation=recommendation,
        delegation=delegation,
        target_date=target_date or recommendation.meeting.target_date,
        pledge=pledge,
        lead=lead,
    )
    access.check_may_edit(user, follow_up)
    follow_up.full_clean()
    follow_up.save()
    return follow_up


@transaction.atomic
def follow_up_update(
    *,
    follow_up: FollowUp,
    version: int,
    user=None,
    target_date=UNSET,
    pledge=UNSET,
    lead=UNSET,
) -> FollowUp:
    """Change a follow-up's own fields (target date, pledge, lead); the others keep
    their value.

    ``version`` is the version the editor saw; if the row has moved on since,
    ``StaleEditError`` is raised and nothing is written.
    """
    current = lock(follow_up)
    access.check_may_edit(user, current)
    if current.version != version:
        raise StaleEditError(current)
    given = {"target_date": target_date, "pledge": pledge, "lead": lead}
    for name, value in given.items():
        if value is not UNSET:
            setattr(current, name, value)
    current.version += 1
    current.full_clean()
    current.save()
    return current


def check_version(follow_up: FollowUp, version: int | None) -> None:
    """Under the follow-up's lock: refuse (``StaleEditError``) a form based on an older
    version. One query."""
    if version is None:
        return
    current = FollowUp.objects.select_for_update().only("version").get(pk=follow_up.pk)
    if current.version != version:
        raise StaleEditError(follow_up)
