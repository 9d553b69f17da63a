"""The Islamabad data, corrected after a line-by-line audit against the Chair's Summary.

A new database gets the corrected data from ``fixtures/islamabad-2023.json``; this brings
a database that already holds the Islamabad meeting to the same data, keeping every
item's id, code and follow-ups. The trend in mission fatalities, split off D1S1-10, becomes
a new observation with the next free code of its session (D1S1-13 where nothing took it):
codes are permanent links and none is renumbered.

Every change is a compare-and-set: a value is replaced only where it still reads as the
audit found it, so a correction already made by hand is neither repeated nor overwritten,
and a database without the meeting is left alone. Each item changed gets a row in its
history with the reason below, and its search text and reading-order key are rebuilt
(``save()``, which derives them, is not part of the models a migration sees).

Reversing restores the values from before the audit on the same terms and removes the
split-off observation, unless follow-ups of it have been recorded since: those are never
deleted to undo a correction, and the reversal then stops with an error.
"""

from django.db import migrations
from django.utils import timezone

from recommendations.models.items import sort_key_for

MEETING_SLUG = "islamabad-2023"
REASON = "Audit against the Chair's Summary"
REVERSE_REASON = "Audit against the Chair's Summary, reverted"

_MINELLI = (
    "Furthermore, she underscored the urgency of addressing mission fatalities, despite a "
    "decrease in total numbers since 2020. She noted the potential for an increase in such "
    "incidents with the drawdown of MINUSMA and stressed the significance of enhancing base "
    "defense and improving situational awareness regarding the threats posed by improvised "
    "explosive devices (IEDs)."
)
_MINELLI_SECOND = (
    "She noted the potential for an increase in such incidents with the drawdown of MINUSMA "
    "and stressed the significance of enhancing base defense and improving situational "
    "awareness regarding the threats posed by improvised explosive devices (IEDs)."
)
_KHARE_SECOND = (
    "He also emphasized the utilization of technology, like telemedicine, and the provision of "
    "high-quality medical equipment to further bolster the capabilities of these hospitals."
)
_KHARE = (
    "Under-Secretary-General (USG) Khare stressed the importance of enhancing medical "
    "facilities in field hospitals and expediting evacuation processes to prevent peacekeeper "
    "casualties, with a particular focus on the critical first 10 minutes. " + _KHARE_SECOND
)
_NAZ_THIRD = (
    "Brigadier Naz also emphasized the need for gender-sensitive healthcare and education, "
    "particularly in the context of reproductive health, to better address the unique needs "
    "of peacekeepers in such areas."
)
_NAZ = (
    "Brigadier Farah Naz of the Pakistan Army brought attention to the challenge of "
    "insufficient local medical resources faced by peacekeepers in remote regions. She "
    "stressed the critical importance of telemedicine and teleconsultation, facilitated by "
    "real-time communication networks, along with the development of standardized protocols. "
    + _NAZ_THIRD
)
_MC_MENAMIN_SECOND = (
    "He especially indicated the significance of mission-specific training and analyzing "
    "information to properly leverage it."
)
_MC_MENAMIN = (
    "Mr. Seamus Mc Menamin of the UN Secretariat pointed out the increase in casualties caused "
    "by IEDs in MINUSMA after 2018 and highlighted the importance of training for personnel to "
    "search for IEDs and equipment such as armored vehicles needed for patrolling. "
    + _MC_MENAMIN_SECOND
)
_SHAHKAR_THIRD = (
    "Mr. Shahkar further announced the upcoming launch of a comprehensive online database "
    "focused on this issue, which is expected to be available later this year."
)
_SHAHKAR = (
    "Mr. Faisal Shahkar, representing the UN Secretariat, emphasized the importance of "
    "accountability for crimes committed against peacekeepers. He also highlighted the UN "
    "Secretariat's collaborative efforts with Member States and UN legislative bodies to "
    "implement Security Council Resolution 2589. " + _SHAHKAR_THIRD
)

# code: {field: (before the audit, after it)}
ITEMS = {
    "D1S1-01": {
        "text": (
            "Appoint dedicated safety officers within missions to systematically document and "
            "address all risks to peacekeepers through the UN's incident reporting system.",
            "Appoint dedicated safety officers within missions to systematically document and "
            "address all associated risks through the UN's incident reporting system.",
        ),
    },
    "D1S1-10": {
        "text": (
            "Address mission fatalities urgently: although their total has decreased since "
            "2020, they may increase with the drawdown of MINUSMA.",
            "Address mission fatalities urgently.",
        ),
    },
    "D1S1-11": {
        "text": (
            "Enhance base defence, given the potential increase in fatalities with the drawdown "
            "of MINUSMA.",
            "Enhance base defence.",
        ),
        "source_excerpt": (_MINELLI_SECOND, _MINELLI),
    },
    "D1S1-12": {"source_excerpt": (_MINELLI_SECOND, _MINELLI)},
    "D1S2-04": {"source_excerpt": (_SHAHKAR_THIRD, _SHAHKAR)},
    "D1S3-02": {
        "text": (
            "Enhance medical facilities in field hospitals to prevent peacekeeper casualties.",
            "Enhance medical facilities in field hospitals to prevent peacekeeper casualties, "
            "with particular focus on the critical first 10 minutes.",
        ),
    },
    "D1S3-04": {"source_excerpt": (_KHARE_SECOND, _KHARE)},
    "D1S3-05": {"source_excerpt": (_KHARE_SECOND, _KHARE)},
    "D1S3-09": {"source_excerpt": (_NAZ_THIRD, _NAZ)},
    "D1S3-11": {
        "kind": ("commitment", "observation"),
        "text": (
            "The UN Secretariat has developed the Incident Reporting System, which is now in "
            "use in missions.",
            "The Incident Reporting System has been developed and is now in use in missions.",
        ),
    },
    "D2S1-01": {
        "text": (
            "The session examined the requirements of the pledging system across peacekeeping "
            "domains, how the 2023 Ministerial pledging process operates and what steps are "
            "needed to strengthen UN peacekeeping, in preparation for the Ministerial meeting "
            "in Ghana in December 2023.",
            "The session set out to improve understanding of the requirements of the pledging "
            "system across peacekeeping domains, of how the 2023 Ministerial pledging process "
            "operates and of what steps are needed to strengthen UN peacekeeping, in "
            "preparation for the Ministerial meeting in Ghana in December 2023.",
        ),
    },
    "D2S1-09": {"source_excerpt": (_MC_MENAMIN_SECOND, _MC_MENAMIN)},
    "D2S2-04": {
        "text": (
            "Mitigate negative impacts through effective training that takes account of how "
            "individuals think and process information.",
            "Mitigate negative impacts through effective training; the thought processes of "
            "individuals and their information processing capabilities were also discussed.",
        ),
    },
}

# code: theme slugs the audit added
THEMES = {
    "D1S1-01": ["technology"],
    "D1S1-09": ["safety"],
    "D2S2-03": ["force-protection"],
}

# The observation split off D1S1-10: same session, speaker and excerpt.
SPLIT_FROM = "D1S1-10"
SPLIT = {
    "kind": "observation",
    "text": "Mission fatalities have decreased in total since 2020 but may increase with the "
    "drawdown of MINUSMA.",
    "source_excerpt": _MINELLI,
}
SPLIT_THEMES = ["safety"]

# field: (before the audit, after it)
MEETING = {
    "target_name": ("Accra Ministerial", "2023 United Nations Peacekeeping Ministerial"),
    "description": (
        "Pakistan and Japan co-hosted the third preparatory meeting of 2023 in Islamabad, ahead "
        "of the Peacekeeping Ministerial Meeting in Accra, Ghana, in December 2023. "
        "High-ranking officials of the UN Secretariat, Member States of the C-34 and local and "
        "international experts, over 134 participants in all, discussed the safety and "
        "security of peacekeepers in five panel sessions.",
        "Pakistan and Japan co-hosted the third preparatory meeting of 2023 in Islamabad, ahead "
        "of the 2023 United Nations Peacekeeping Ministerial in Accra, Ghana, in December 2023. "
        "High-ranking officials of the UN Secretariat, Member States of the Special Committee "
        "on Peacekeeping Operations (C-34) and local and international experts, over 134 "
        "participants in all, discussed the safety and security of peacekeepers in five panel "
        "sessions.",
    ),
}

FIELDS = ["kind", "text", "source_excerpt"]


def _set_where_unchanged(instance, changes, *, forwards: bool) -> list[str]:
    """Move each field from its ``(before, after)`` value to the other one where it still
    holds the first; return the fields moved."""
    moved = []
    for field, (before, after) in changes.items():
        old, new = (before, after) if forwards else (after, before)
        if getattr(instance, field) == old:
            setattr(instance, field, new)
            moved.append(field)
    return moved


def _next_free_code(Recommendation, session) -> str:
    """The session's code with the number after the highest its items use (and that no
    item anywhere has, codes being unique across meetings)."""
    prefix = f"{session.code}-"
    numbers = [
        int(code.removeprefix(prefix))
        for code in Recommendation.objects.filter(
            session=session, code__startswith=prefix
        ).values_list("code", flat=True)
        if code.removeprefix(prefix).isdigit()
    ]
    n = max(numbers, default=0) + 1
    while Recommendation.objects.filter(code=f"{prefix}{n:02d}").exists():
        n += 1
    return f"{prefix}{n:02d}"


def _rebuild_derived(item) -> bool:
    """Set the search text and reading-order key as ``Recommendation.save()`` derives them
    (``build_search_document``, ``build_sort_key``); True if either changed."""
    speaker = item.speaker.name if item.speaker_id else ""
    document = "\n".join([item.code, item.text, item.source_excerpt, speaker])
    key = sort_key_for(
        item.meeting.start_date, item.session.day, item.session.order, item.order, item.code
    )
    changed = (item.search_document, item.sort_key) != (document, key)
    item.search_document, item.sort_key = document, key
    return changed


def _record_history(apps, item, history_type: str, reason: str, now) -> None:
    """One history row of the item as it now stands, with its themes, as
    django-simple-history writes it on a save (or a delete, ``-``)."""
    History = apps.get_model("recommendations", "HistoricalRecommendation")
    HistoryThemes = apps.get_model("recommendations", "HistoricalRecommendation_themes")
    Through = apps.get_model("recommendations", "Recommendation").themes.through
    row = History.objects.create(
        id=item.id,
        code=item.code,
        kind=item.kind,
        text=item.text,
        source_excerpt=item.source_excerpt,
        order=item.order,
        search_document=item.search_document,
        sort_key=item.sort_key,
        meeting_id=item.meeting_id,
        session_id=item.session_id,
        speaker_id=item.speaker_id,
        history_date=now,
        history_change_reason=reason,
        history_type=history_type,
        history_user=None,
    )
    HistoryThemes.objects.bulk_create(
        HistoryThemes(history=row, id=link.id, recommendation_id=item.id, theme_id=link.theme_id)
        for link in Through.objects.filter(recommendation_id=item.id).order_by("id")
    )


def _apply(apps, *, forwards: bool) -> None:
    Meeting = apps.get_model("recommendations", "Meeting")
    Recommendation = apps.get_model("recommendations", "Recommendation")
    Theme = apps.get_model("recommendations", "Theme")
    FollowUp = apps.get_model("recommendations", "FollowUp")

    meeting = Meeting.objects.filter(slug=MEETING_SLUG).first()
    if meeting is None:
        return
    reason = REASON if forwards else REVERSE_REASON
    now = timezone.now()

    moved = _set_where_unchanged(meeting, MEETING, forwards=forwards)
    if moved:
        meeting.save(update_fields=moved)

    items = {
        item.code: item
        for item in Recommendation.objects.filter(meeting=meeting).select_related(
            "meeting", "session", "speaker"
        )
    }
    themes = {t.slug: t for t in Theme.objects.all()}
    changed = {}  # code: the item, for those the audit touched

    source = items.get(SPLIT_FROM)
    split_pending = source is not None and (
        source.text == ITEMS[SPLIT_FROM]["text"][0 if forwards else 1]
    )

    for code, changes in ITEMS.items():
        item = items.get(code)
        if item is not None and _set_where_unchanged(item, changes, forwards=forwards):
            changed[code] = item

    for code, slugs in THEMES.items():
        item = items.get(code)
        if item is None:
            continue
        wanted = [themes[slug] for slug in slugs if slug in themes]
        present = set(item.themes.values_list("slug", flat=True))
        if forwards and (missing := [t for t in wanted if t.slug not in present]):
            item.themes.add(*missing)
            changed[code] = item
        if not forwards and (extra := [t for t in wanted if t.slug in present]):
            item.themes.remove(*extra)
            changed[code] = item

    if forwards and split_pending:
        split = Recommendation(
            meeting=meeting,
            session=source.session,
            speaker=source.speaker,
            code=_next_free_code(Recommendation, source.session),
            order=1 + max(i.order for i in items.values() if i.session_id == source.session_id),
            **SPLIT,
        )
        _rebuild_derived(split)
        split.save()
        split.themes.set([themes[slug] for slug in SPLIT_THEMES if slug in themes])
        _record_history(apps, split, "+", reason, now)
    if not forwards and split_pending:
        for split in Recommendation.objects.filter(
            session=source.session, speaker=source.speaker, **SPLIT
        ).select_related("meeting", "session", "speaker"):
            if FollowUp.objects.filter(recommendation=split).exists():
                raise RuntimeError(
                    f"{split.code} has follow-ups: the split of {SPLIT_FROM} is not undone "
                    "while they exist. Move or delete them first."
                )
            _record_history(apps, split, "-", reason, now)
            split.delete()

    for item in items.values():
        if _rebuild_derived(item) or item.code in changed:
            item.save(update_fields=[*FIELDS, "search_document", "sort_key"])
    for item in changed.values():
        _record_history(apps, item, "~", reason, now)


def forwards(apps, schema_editor):
    _apply(apps, forwards=True)


def backwards(apps, schema_editor):
    _apply(apps, forwards=False)


class Migration(migrations.Migration):
    dependencies = [("recommendations", "0005_follow_up_status_triggers")]

    operations = [migrations.RunPython(forwards, backwards, elidable=True)]
