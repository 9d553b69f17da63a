"""Writes that span models. The admin, the public views, the importer and the
management commands all call these, so each rule lives in one place:

- a follow-up's status is the status of its latest progress update;
- a change based on a stale copy of a follow-up is refused (optimistic lock);
- every multi-row write is one transaction;
- a recommendation's ``search_document`` is derived from its fields.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import (
    Delegation,
    FollowUp,
    ProgressUpdate,
    Recommendation,
    Status,
    sort_key_for,
)
from .roles import user_delegation, user_is_secretariat


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


def _check_may_edit(user, follow_up: FollowUp) -> None:
    if user is None:
        return  # management commands and data loading act as the system
    if user_is_secretariat(user):
        return
    delegation = user_delegation(user)
    if delegation is None or delegation.pk != follow_up.delegation_id:
        raise PermissionError(_("You may only change your own delegation's follow-ups."))


def follow_up_refresh_status(follow_up: FollowUp) -> FollowUp:
    """Set ``status`` and ``last_update_date`` from the latest progress update.

    Two queries; call inside the transaction that changed the history. Always bumps
    the version: the follow-up's history changed, so a form opened before this
    change is stale and is refused rather than saved over it.
    """
    latest = ProgressUpdate.objects.filter(follow_up=follow_up).latest_first().first()
    follow_up.status = latest.status if latest else Status.NOT_STARTED
    follow_up.last_update_date = latest.date if latest else None
    follow_up.version += 1
    follow_up.save(update_fields=["status", "last_update_date", "version", "updated_at"])
    return follow_up


def _lock(follow_up: FollowUp) -> FollowUp:
    """Re-read the follow-up under a row lock (PostgreSQL) so concurrent writers queue."""
    return FollowUp.objects.select_for_update().select_related("delegation").get(pk=follow_up.pk)


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
    _check_may_edit(user, follow_up)
    follow_up.full_clean()
    follow_up.save()
    return follow_up


@transaction.atomic
def follow_up_update(*, follow_up: FollowUp, version: int, user=None, **fields) -> FollowUp:
    """Change the editable fields of a follow-up (target date, pledge, lead).

    ``version`` is the version the editor saw; if the row has moved on since,
    ``StaleEditError`` is raised and nothing is written.
    """
    current = _lock(follow_up)
    _check_may_edit(user, current)
    if current.version != version:
        raise StaleEditError(current)
    for name, value in fields.items():
        if name not in {"target_date", "pledge", "lead"}:
            raise ValueError(f"{name} cannot be changed here")
        setattr(current, name, value)
    current.version += 1
    current.full_clean()
    current.save()
    return current


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
    """Record a dated progress update and make the follow-up's status follow it.

    An update entered by Secretariat staff counts as verified by them; one entered by
    a focal point is self-reported until staff verify it. Refuses dates in the future.
    With ``expected_version``, refuses (``StaleEditError``) if the follow-up changed.
    """
    current = _lock(follow_up)
    _check_may_edit(author, current)
    if expected_version is not None and current.version != expected_version:
        raise StaleEditError(current)
    update = ProgressUpdate(
        follow_up=current,
        date=date,
        status=status,
        note=note,
        evidence_url=evidence_url,
        visibility=visibility,
        author=author,
    )
    if date and date > timezone.localdate():
        raise ValidationError({"date": _("The date of an update cannot be in the future.")})
    if author is not None and user_is_secretariat(author):
        update.verified_by = author
        update.verified_at = timezone.now()
    update.full_clean()
    update.save()
    follow_up_refresh_status(current)
    # Keep the caller's object in step with the database.
    follow_up.status, follow_up.version = current.status, current.version
    follow_up.last_update_date = current.last_update_date
    return update


@transaction.atomic
def progress_update_change(*, update: ProgressUpdate, user=None, **fields) -> ProgressUpdate:
    """Change a progress update's fields and re-derive its follow-up's status."""
    follow_up = _lock(update.follow_up)
    _check_may_edit(user, follow_up)
    for name, value in fields.items():
        setattr(update, name, value)
    if update.date and update.date > timezone.localdate():
        raise ValidationError({"date": _("The date of an update cannot be in the future.")})
    update.full_clean()
    update.save()
    follow_up_refresh_status(follow_up)
    return update


@transaction.atomic
def progress_update_delete(*, update: ProgressUpdate, user=None) -> None:
    """Delete a progress update and re-derive its follow-up's status."""
    follow_up = _lock(update.follow_up)
    _check_may_edit(user, follow_up)
    update.delete()
    follow_up_refresh_status(follow_up)


@transaction.atomic
def progress_update_verify(*, update: ProgressUpdate, user) -> ProgressUpdate:
    """Mark a self-reported update as verified by Secretariat staff (who and when)."""
    if not user_is_secretariat(user):
        raise PermissionError(_("Only Secretariat staff can verify updates."))
    if update.verified_at is None:
        update.verified_by = user
        update.verified_at = timezone.now()
        update.save(update_fields=["verified_by", "verified_at"])
    return update


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

    Follow-ups already in that status are left alone. Returns how many changed.
    Raises ``PermissionError`` (and writes nothing) if the user may not edit one.
    """
    if status not in Status.values:
        raise ValidationError({"status": _("Unknown status.")})
    date = date or timezone.localdate()
    changed = 0
    for follow_up in follow_ups:
        _check_may_edit(user, follow_up)
        if follow_up.status == status:
            continue
        progress_update_create(
            follow_up=follow_up, date=date, status=status, note=note, author=user
        )
        changed += 1
    return changed


@transaction.atomic
def recommendations_rebuild_derived_fields(*, queryset=None) -> int:
    """Recompute ``search_document`` and ``sort_key`` for the given recommendations
    (all by default).

    Needed after ``loaddata``, which writes rows without calling ``save()``, and after a
    session or meeting changes the position of its items. One read (speaker, session
    and meeting joined), then one ``bulk_update`` of only the rows that changed (one
    UPDATE per 500 rows). Returns how many rows changed, so a second run returns 0.
    """
    if queryset is None:
        queryset = Recommendation.objects.all()
    changed = []
    rows = queryset.select_related("speaker", "session", "meeting").order_by("pk")
    for item in rows:
        document = item.build_search_document()
        key = sort_key_for(
            item.meeting.start_date, item.session.day, item.session.order, item.order, item.code
        )
        if item.search_document != document or item.sort_key != key:
            item.search_document, item.sort_key = document, key
            changed.append(item)
    if changed:
        Recommendation.objects.bulk_update(changed, ["search_document", "sort_key"], batch_size=500)
    return len(changed)


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
    from .imports import WRITES

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
            _check_may_edit(user, follow_up)
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
