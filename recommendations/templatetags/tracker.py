"""Template helpers for the public pages. None of them queries."""

from django import template
from django.conf import settings
from django.utils import translation
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext

from .. import status as rules
from ..countries import column_suffix
from ..status import State

register = template.Library()


@register.filter
def status_label(value) -> str:
    """The translated label of a state value ('in_progress' → 'In progress',
    'not_reported' → 'No report yet')."""
    try:
        return State(value).label
    except ValueError:
        return str(value)


@register.filter
def percent(part, whole) -> int:
    """``part`` as a whole percentage of ``whole`` (0 when ``whole`` is 0)."""
    try:
        return round(100 * int(part) / int(whole)) if int(whole) else 0
    except (TypeError, ValueError):
        return 0


@register.filter
def count_for(counts, status) -> int:
    """The number in ``status`` from a StatusCounts."""
    return counts.counts.get(status, 0)


@register.filter
def overdue_on_own_target(follow_up, meeting_target_date) -> bool:
    """Whether ``follow_up`` gets an "Overdue" badge: ``status.overdue_on_own_target``
    with the date of the meeting its item prepares (``meeting_target_date``)."""
    return rules.overdue_on_own_target(follow_up.target_date, follow_up.status, meeting_target_date)


# A heading holds a text whole up to this many characters; a longer one is led by its
# first part, the whole text following it.
HEADLINE_LENGTH = 160
LEADING_WORDS = frozenset(
    ["a", "an", "and", "as", "at", "but", "by", "for", "in", "of", "on", "or", "the", "to", "with"]
)


@register.filter
def headline(text) -> str:
    """``text`` whole when it fits a heading (``HEADLINE_LENGTH``), else its leading part
    with an ellipsis: up to the last clause break (";", ":", ",") in the first three
    quarters of that length, or the last word there."""
    text = " ".join(str(text).split())
    if len(text) <= HEADLINE_LENGTH:
        return text
    window = text[: HEADLINE_LENGTH * 3 // 4 + 1]
    for mark in ("; ", ": ", ", "):
        cut = window.rfind(mark)
        if cut >= HEADLINE_LENGTH // 3:
            return window[:cut] + "…"
    words = window[: window.rfind(" ")].rstrip(",;:").split(" ")
    # The texts are English: a part does not end on a word that leads into the next.
    while len(words) > 1 and words[-1].lower() in LEADING_WORDS:
        words.pop()
    return " ".join(words) + "…"


@register.filter
def lang_of(instance, field: str) -> str:
    """The language ``instance.<field>`` reads in on this page: the active language where
    its column of that language holds a value (recommendations/translation.py), English,
    the language it falls back to, otherwise. For the ``lang`` attribute around it."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    if language == "en" or getattr(instance, f"{field}_{column_suffix(language)}", None):
        return language
    return "en"


def _in_its_language(instance, field: str):
    return format_html(
        '<span lang="{}">{}</span>', lang_of(instance, field), getattr(instance, field)
    )


@register.simple_tag
def citation(item, said_on) -> str:
    """How to cite ``item``, as one sentence of the active language (its word order and
    punctuation are the translation's): the document, the meeting, its city, the session,
    the speaker and the day, each name marked with the language it reads in."""
    speaker = item.speaker
    if speaker:
        said_by = speaker.display_name
        if speaker.affiliation:
            said_by = f"{said_by} ({speaker.affiliation})"
        speaker_part = format_html('<span lang="en">{}</span>', said_by)
    else:
        speaker_part = gettext("the session panel")
    session = gettext("Day %(day)s, Session %(order)s") % {
        "day": item.session.day,
        "order": item.session.order,
    }
    return format_html(
        gettext("{document}, {meeting}, {city}, {session} “{session_title}”, {speaker}, {date}."),
        document=format_html("<cite>{}</cite>", gettext("Chair's Summary")),
        meeting=_in_its_language(item.meeting, "title"),
        city=_in_its_language(item.meeting, "city"),
        session=session,
        session_title=_in_its_language(item.session, "title"),
        speaker=speaker_part,
        date=format_html(
            '<time datetime="{}">{}</time>', said_on.isoformat(), date_format(said_on)
        ),
    )
