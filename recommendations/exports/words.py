"""How people read an export: its headers and values in words, in the active
language. The spreadsheet is written so; the CSV keeps keys and codes.

A column's ``words`` (a ``Vocabulary``) says what its value is: a status, an item
kind, theme slugs, a delegation code, a meeting slug or a session code. ``Reader``
reads, once per export, the names its columns need (at most one query per table,
whatever the number of rows) and then turns each row of the SELECT into what people
read: text, whole numbers, dates, and None for an empty cell. Booleans become the
translated "Yes" and "No".
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from ..models import Delegation, Meeting, Recommendation, Session, Theme
from ..status import State
from .formatting import BOOL, DATE, INT, TEXT, THEMES, Column


@dataclass(frozen=True, eq=False)
class Vocabulary:
    """What a column's values are. ``load`` gives each key's words (called once per
    export; a query at most); ``say`` turns one value into words with them."""

    name: str
    load: Callable[[], Mapping]

    def say(self, words: Mapping, value, scope=None) -> str:
        """The words of the key ``value`` (the key itself when unknown)."""
        return str(words.get(value, value))


class _ThemeList(Vocabulary):
    def say(self, words: Mapping, value, scope=None) -> str:
        # Slugs joined by "; " come out as names, in the themes' own order.
        known = sorted(words.get(slug, (len(words), slug)) for slug in value.split("; "))
        return "; ".join(str(name) for _, name in known)


class _Scoped(Vocabulary):
    def say(self, words: Mapping, value, scope=None) -> str:
        return str(words.get((scope, value), value))


STATUS = Vocabulary("status", lambda: dict(State.choices))
KIND = Vocabulary("kind", lambda: dict(Recommendation.Kind.choices))
# Each slug's position in the themes' own order (Theme.Meta.ordering) and its name.
THEME_NAMES = _ThemeList(
    "themes",
    lambda: {
        slug: (position, name)
        for position, (slug, name) in enumerate(Theme.objects.values_list("slug", "name"))
    },
)
DELEGATION_NAME = Vocabulary(
    "delegation", lambda: dict(Delegation.objects.values_list("code", "name"))
)
MEETING_TITLE = Vocabulary("meeting", lambda: dict(Meeting.objects.values_list("slug", "title")))
# A session's code is unique within its meeting: the column's scope is the meeting slug.
SESSION_TITLE = _Scoped(
    "session",
    lambda: {
        (meeting, code): f"{code} – {title}"
        for meeting, code, title in Session.objects.values_list("meeting__slug", "code", "title")
    },
)

YES, NO = _("Yes"), _("No")


def _yes_no(value) -> str:
    return str(YES if value else NO)


# How a value without a vocabulary reads, by the column's kind. Themes always come
# with their vocabulary.
_PLAIN: dict[str, Callable] = {
    TEXT: str,
    THEMES: str,
    DATE: lambda value: value,
    BOOL: _yes_no,
    INT: int,
}


class Reader:
    """The columns of one export as people read them. Creating it loads the names its
    columns' vocabularies need: one query for each of the themes, delegations,
    meetings and sessions it uses (statuses and kinds need none)."""

    def __init__(self, columns: Sequence[Column]):
        self.columns = list(columns)
        self._words = {}
        for column in self.columns:
            if column.words is not None and column.words not in self._words:
                self._words[column.words] = column.words.load()

    def header(self) -> list[str]:
        """The headers, translated."""
        return [str(column.label or column.name) for column in self.columns]

    def row(self, values: Sequence) -> list[str | int | datetime.date | None]:
        """One row of the SELECT (``values``) in words. Queries nothing."""
        return [self.value(column, values) for column in self.columns]

    def value(self, column: Column, values: Sequence):
        value = values[column.source]
        if column.key is not None:
            value = (value or {}).get(column.key)
        if value is None or value == "":
            return None
        if column.words is not None:
            scope = values[column.scope] if column.scope is not None else None
            return column.words.say(self._words[column.words], value, scope)
        return _PLAIN[column.kind](value)
