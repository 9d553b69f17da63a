"""Writes of reference data (meetings, sessions, people), the items' derived columns and
the items' translations."""

from __future__ import annotations

from django.db import transaction

from .. import access
from ..models import ItemTranslation, Meeting, Person, Recommendation, Session
from .follow_ups import StaleEditError
from .roster import roster_fill


@transaction.atomic
def recommendations_rebuild_derived_fields(*, queryset=None) -> int:
    """Recompute ``search_document`` and ``sort_key`` for the given recommendations
    (all by default).

    Needed after ``loaddata``, which writes rows without calling ``save()``, and after a
    session, meeting or person changes what its items derive from. One read (speaker,
    session and meeting joined), then one ``bulk_update`` of only the rows that changed
    (one UPDATE per 500 rows). Returns how many rows changed, so a second run returns 0.
    """
    if queryset is None:
        queryset = Recommendation.objects.all()
    changed = []
    rows = queryset.select_related("speaker", "session", "meeting").order_by("pk")
    for item in rows:
        document, key = item.build_search_document(), item.build_sort_key()
        if item.search_document != document or item.sort_key != key:
            item.search_document, item.sort_key = document, key
            changed.append(item)
    if changed:
        Recommendation.objects.bulk_update(changed, ["search_document", "sort_key"], batch_size=500)
    return len(changed)


@transaction.atomic
def reference_save(*, instance: Meeting | Session | Person) -> None:
    """Save a meeting, session or person, and rebuild the derived columns of its items:
    a meeting's date and a session's day and order are part of their items' reading
    order, a speaker's name of their search text."""
    instance.save()
    recommendations_rebuild_derived_fields(queryset=instance.recommendations.all())


@transaction.atomic
def recommendation_save(*, instance: Recommendation) -> None:
    """Save an item; a new one gets a follow-up by every roster delegation (as "No
    report yet")."""
    adding = instance._state.adding
    instance.save()
    if adding:
        roster_fill(recommendations=Recommendation.objects.filter(pk=instance.pk))


@transaction.atomic
def item_translation_save(
    *, translation: ItemTranslation, version: int | None = None, user=None
) -> ItemTranslation:
    """Add or change a translation of an item's text (Secretariat staff only: a refused
    write raises ``PermissionError``). A change based on an older version than the row's
    (``version``, what the editor loaded) raises ``StaleEditError``, checked under the
    row's lock, and writes nothing. Records who translated it."""
    if not access.is_secretariat(user):
        raise PermissionError("Only Secretariat staff translate items.")
    if translation.pk:
        current = ItemTranslation.objects.select_for_update().get(pk=translation.pk)
        if version is not None and current.version != version:
            raise StaleEditError(current)
        translation.version = current.version + 1
    translation.translated_by = user
    translation.full_clean()
    translation.save()
    return translation
