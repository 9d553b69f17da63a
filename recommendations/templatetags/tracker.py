"""Template helpers for the public pages. None of them queries."""

from django import template

from .. import status as rules
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
