"""Template helpers for the public pages. None of them queries."""

from django import template

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
