"""Writes of progress updates: record, correct, delete, verify, set many at once."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import access
from ..models import FollowUp, ProgressUpdate
from ..status import Status, refuse_future
from .conflicts import retry_on_collision
from .follow_ups import UNSET, StaleEditError, history_changed, lock


def _lock_update(update: ProgressUpdate) -> ProgressUpdate:
    """Re-read the update under a row lock, so an edit and a verification of one update
    are serialised and neither erases the other. One query."""
    return ProgressUpdate.objects.select_for_update().get(pk=update.pk)


@transaction.atomic
def progress_update_create(
    *,
    follow_up: FollowUp,
    date: datetime.date,
    status: str,
    note: str = "",
    evidence_url: str = "",
    visibility: str = ProgressUpdate.Visibility.PUBLIC,
    author=None,
    expected_version: int | None = None,
) -> ProgressUpdate:
    """Record a dated progress update; the follow-up's status follows it when it is the
    latest.

    An update entered by Secretariat staff counts as verified by them; one entered by
    a focal point is self-reported until staff verify it. Refuses dates in the future.
    With ``expected_version``, refuses (``StaleEditError``) if the follow-up changed.
    """
    current = lock(follow_up)
    access.check_may_edit(author, current)
    if expected_version is not None and current.version != expected_version:
        raise StaleEditError(current)
    refuse_future(date)
    update = ProgressUpdate(
        follow_up=current,
        date=date,
        status=status,
        note=note,
        evidence_url=evidence_url,
        visibility=visibility,
        author=author,
    )
    if author is not None and access.may_verify(author):
        update.verified_by = author
        update.verified_at = timezone.now()
    update.full_clean()
    update.save()
    history_changed(current)
    # Keep the caller's object in step with the database.
    follow_up.status, follow_up.version = current.status, current.version
    follow_up.last_update_date = current.last_update_date
    return update


@transaction.atomic
def progress_update_change(
    *,
    update: ProgressUpdate,
    version: int | None,
    user=None,
    date=UNSET,
    status=UNSET,
    note=UNSET,
    evidence_url=UNSET,
    visibility=UNSET,
) -> ProgressUpdate:
    """Correct a progress update's date, status, note, evidence or visibility; only the
    fields given are written, the others keep their value (read under the lock, so a
    concurrent change of another field is kept). A focal point may correct their
    delegation's self-reported updates only, never a verified one (checked under the
    lock, so a verification that lands first refuses the edit).

    ``version`` is the version the editor loaded (``None``: a caller that loaded no
    form, such as a command); if the update has moved on since, ``StaleEditError`` is
    raised and nothing is written."""
    follow_up = lock(update.follow_up)
    current = _lock_update(update)
    access.check_may_change_update(user, current, follow_up.delegation_id)
    if version is not None and current.version != version:
        raise StaleEditError(current)
    given = {
        "date": date,
        "status": status,
        "note": note,
        "evidence_url": evidence_url,
        "visibility": visibility,
    }
    written = [name for name, value in given.items() if value is not UNSET]
    if not written:
        return current  # nothing to change: no new version, no history row
    for name in written:
        setattr(current, name, given[name])
    refuse_future(current.date)
    current.full_clean()
    current.version += 1
    current.save(update_fields=[*written, "version"])
    history_changed(follow_up)
    update.version = current.version
    return current


@transaction.atomic
def progress_update_delete(*, update: ProgressUpdate, user=None) -> None:
    """Delete a progress update; the follow-up's status follows its remaining history.
    A focal point may delete no verified update."""
    follow_up = lock(update.follow_up)
    current = _lock_update(update)
    access.check_may_change_update(user, current, follow_up.delegation_id)
    current.delete()
    history_changed(follow_up)


@transaction.atomic
def progress_update_verify(*, update: ProgressUpdate, user) -> ProgressUpdate:
    """Mark a self-reported update as verified by Secretariat staff (who and when).
    Under the update's row lock, so a concurrent correction does not erase it."""
    access.check_may_verify(user)
    lock(update.follow_up)  # the one lock order: the follow-up, then its update
    current = _lock_update(update)
    if current.verified_at is None:
        current.verified_by = user
        current.verified_at = timezone.now()
        current.version += 1
        current.save(update_fields=["verified_by", "verified_at", "version"])
    update.verified_by, update.verified_at = current.verified_by, current.verified_at
    update.version = current.version
    return current


@retry_on_collision
@transaction.atomic
def follow_ups_set_status(
    *,
    follow_ups: Iterable[FollowUp],
    status: str,
    user,
    date: datetime.date | None = None,
    note: str = "",
) -> int:
    """Give every follow-up a progress update with ``status``, all or nothing.

    Follow-ups already in that status (read under their locks) are left alone. Returns
    how many changed. Raises ``PermissionError`` (and writes nothing) if the user may
    not edit one. The follow-ups are locked first, by id ascending (``conflicts``).
    """
    if status not in Status.values:
        raise ValidationError({"status": _("Unknown status.")})
    refuse_future(date)
    date = date or timezone.localdate()
    changed = 0
    for follow_up in lock_all(follow_ups):
        access.check_may_edit(user, follow_up)
        if follow_up.status == status:
            continue
        progress_update_create(
            follow_up=follow_up, date=date, status=status, note=note, author=user
        )
        changed += 1
    return changed


def lock_all(follow_ups: Iterable[FollowUp]) -> list[FollowUp]:
    """Lock the follow-ups (ids or objects) in the one order, id ascending, and read
    them afresh. One query."""
    ids = {getattr(follow_up, "pk", follow_up) for follow_up in follow_ups}
    return list(FollowUp.objects.select_for_update().filter(pk__in=ids).order_by("pk"))


def _in_lock_order(updates: Iterable[ProgressUpdate]) -> list[ProgressUpdate]:
    """The updates with their follow-ups locked (id ascending), in the same order."""
    updates = sorted(updates, key=lambda update: (update.follow_up_id, update.pk))
    lock_all(update.follow_up_id for update in updates)
    return updates


@retry_on_collision
@transaction.atomic
def progress_updates_verify(*, updates: Iterable[ProgressUpdate], user) -> int:
    """Verify several self-reported updates, all or nothing (``progress_update_verify``
    each); those already verified are left alone. Returns how many were verified."""
    access.check_may_verify(user)
    verified = 0
    for update in _in_lock_order(updates):
        if _lock_update(update).verified_at is None:
            progress_update_verify(update=update, user=user)
            verified += 1
    return verified


@retry_on_collision
@transaction.atomic
def progress_updates_delete(*, updates: Iterable[ProgressUpdate], user=None) -> int:
    """Delete several progress updates, all or nothing (``progress_update_delete``
    each). Returns how many."""
    updates = _in_lock_order(updates)
    for update in updates:
        progress_update_delete(update=update, user=user)
    return len(updates)
