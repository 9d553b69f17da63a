"""Writes of reference data (meetings, sessions, people) and the items' derived columns."""

from __future__ import annotations

from django.db import transaction

from ..models import Meeting, Person, Recommendation, Session
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
