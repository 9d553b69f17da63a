"""Who may read, edit and verify what: the one home of the access rules.

- Secretariat staff (superusers and the Secretariat group) edit every delegation's
  follow-ups and progress updates, read every restricted note, and verify.
- A delegation focal point edits their own delegation's follow-ups and progress
  updates, except an update staff have verified; reads their own delegation's
  restricted notes.
- Everybody else reads public notes only, and edits nothing.
- ``user=None`` is the system (management commands, data loading): it may edit all.

A person's reach is an ``Audience``, read once per request and cached on the user; its
methods give the conditions (``Q``) that pages, the admin, exports, imports, the API
and commands filter with, so no caller writes a rule of its own.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import BooleanField, ExpressionWrapper, Q, Value
from django.utils.translation import gettext as _

from .models import FocalPoint, ProgressUpdate
from .roles import FOCAL_POINTS, SECRETARIAT

_NOTHING = Q(pk__in=[])


@dataclass(frozen=True)
class Audience:
    """What one person may reach: ``everything`` (Secretariat staff), or the delegation
    ``delegation_id`` (a focal point), or neither (the public)."""

    everything: bool = False
    delegation_id: int | None = None

    def edits(self, delegation_id: int | None) -> bool:
        """May edit the follow-ups (and their updates) of this delegation."""
        return self.everything or (
            self.delegation_id is not None and self.delegation_id == delegation_id
        )

    def editable(self, delegation_path: str = "delegation") -> Q:
        """The rows whose delegation (at ``delegation_path``) this audience may edit."""
        if self.everything:
            return Q()
        if self.delegation_id is None:
            return _NOTHING
        return Q(**{f"{delegation_path}_id": self.delegation_id})

    def readable(self, delegation_path: str = "follow_up__delegation") -> Q | None:
        """The progress updates whose note and evidence this audience may read, or
        ``None`` when it reads them all. The status of an update is always public."""
        if self.everything:
            return None
        public = Q(visibility=ProgressUpdate.Visibility.PUBLIC)
        if self.delegation_id is None:
            return public
        return public | Q(**{f"{delegation_path}_id": self.delegation_id})

    def sees_authors_of(self, delegation_path: str = "follow_up__delegation") -> Q | None:
        """The updates whose author this audience may see (the author is a staff
        account's name): staff all (``None``), a focal point their delegation's."""
        if self.everything:
            return None
        if self.delegation_id is None:
            return _NOTHING
        return Q(**{f"{delegation_path}_id": self.delegation_id})


PUBLIC = Audience()
STAFF = Audience(everything=True)
SYSTEM = STAFF


def secretariat_accounts() -> Q:
    """The users ``is_secretariat`` is true for, as a filter on users."""
    return Q(is_active=True) & (Q(is_superuser=True) | Q(groups__name=SECRETARIAT))


def focal_point_accounts() -> Q:
    """The accounts that may speak for a delegation, as a filter on users."""
    return Q(groups__name=FOCAL_POINTS)


def is_secretariat(user) -> bool:
    """True for active superusers and members of the Secretariat staff group (one
    query, cached on the user)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if not hasattr(user, "_is_secretariat"):
        user._is_secretariat = user.groups.filter(name=SECRETARIAT).exists()
    return user._is_secretariat


def delegation_of(user):
    """The delegation an active focal point speaks for, or None (one query, cached)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if not hasattr(user, "_delegation"):
        focal = FocalPoint.objects.select_related("delegation").filter(user=user).first()
        user._delegation = focal.delegation if focal else None
    return user._delegation


def audience(user) -> Audience:
    """The reach of ``user`` (``None``: the system, which reaches everything). At most
    two queries, cached on the user."""
    if user is None:
        return SYSTEM
    if is_secretariat(user):
        return STAFF
    delegation = delegation_of(user)
    return Audience(delegation_id=delegation.pk if delegation else None)


def editable(user, queryset, delegation_path: str = "delegation"):
    """``queryset`` restricted to the rows ``user`` may edit."""
    return queryset.filter(audience(user).editable(delegation_path))


def readable(user, queryset, delegation_path: str = "follow_up__delegation"):
    """Progress updates restricted to those whose note ``user`` may read."""
    condition = audience(user).readable(delegation_path)
    return queryset if condition is None else queryset.filter(condition)


def with_readable(user, updates, delegation_path: str = "follow_up__delegation"):
    """Annotate ``readable`` on progress updates: may ``user`` read the note and
    evidence? Adds no query beyond the user's role look-ups."""
    condition = audience(user).readable(delegation_path)
    flag = Value(True) if condition is None else ExpressionWrapper(condition, BooleanField())
    return updates.annotate(readable=flag)


def blank_unreadable(update) -> None:
    """Empty the note and evidence of an update annotated ``readable=False``, so no
    template can show them; its status stays."""
    if not update.readable:
        update.note = ""
        update.evidence_url = ""


def may_edit(user, follow_up) -> bool:
    """May ``user`` change this follow-up or add to its history?"""
    return audience(user).edits(follow_up.delegation_id)


def check_may_edit(user, follow_up) -> None:
    """Raise ``PermissionError`` unless ``user`` may edit this follow-up."""
    if not may_edit(user, follow_up):
        raise PermissionError(_("You may only change your own delegation's follow-ups."))


def may_change_update(user, update, delegation_id: int) -> bool:
    """May ``user`` change or delete this progress update (of a follow-up of
    ``delegation_id``)? A focal point may correct their delegation's self-reported
    updates, not one staff verified."""
    reach = audience(user)
    if not reach.edits(delegation_id):
        return False
    return reach.everything or update.verified_at is None


def check_may_change_update(user, update, delegation_id: int) -> None:
    """Raise ``PermissionError`` unless ``user`` may change this progress update."""
    if not audience(user).edits(delegation_id):
        raise PermissionError(_("You may only change your own delegation's follow-ups."))
    if not may_change_update(user, update, delegation_id):
        raise PermissionError(
            _("This update has been verified by the Secretariat; only staff can change it.")
        )


def may_verify(user) -> bool:
    """Only Secretariat staff verify what delegations report."""
    return is_secretariat(user)


def check_may_verify(user) -> None:
    if not may_verify(user):
        raise PermissionError(_("Only Secretariat staff can verify updates."))
