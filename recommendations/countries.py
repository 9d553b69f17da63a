"""Member states' names in every language of LANGUAGES: CLDR's, through django-countries,
with the UN's own short names where they differ (``un_short_names.json``: the names of
the UN's Member States list in its six languages, keyed by ISO 3166 alpha-2 code)."""

from __future__ import annotations

import functools
import json
from pathlib import Path

from django.conf import settings
from django.utils import translation
from django_countries import countries

from .models import Delegation

UN_SHORT_NAMES_FILE = Path(__file__).with_name("un_short_names.json")


def column_suffix(language: str) -> str:
    """The suffix of a language's column (``zh-hans`` → ``zh_hans``, as in ``name_zh_hans``)."""
    return language.replace("-", "_")


@functools.cache
def un_short_names() -> dict[str, dict[str, str]]:
    return json.loads(UN_SHORT_NAMES_FILE.read_text(encoding="utf-8"))


def country_names(alpha2: str) -> dict[str, str]:
    """The country's name in each language, by column suffix: the UN's short name where
    the UN's list has one, CLDR's otherwise. No query."""
    un = un_short_names().get(alpha2, {})
    names = {}
    for language, _ in settings.LANGUAGES:
        suffix = column_suffix(language)
        with translation.override(language):
            names[suffix] = un.get(suffix) or str(countries.name(alpha2))
    return names


def fill_member_state_names(delegation) -> None:
    """Give a member state's delegation its name in every language it has none in (the
    English one, curated, is never replaced). No query."""
    if delegation.kind != Delegation.Kind.MEMBER_STATE or not delegation.country:
        return
    for suffix, name in country_names(str(delegation.country)).items():
        field = f"name_{suffix}"
        if not getattr(delegation, field):
            setattr(delegation, field, name)
