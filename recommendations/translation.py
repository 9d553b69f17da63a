"""The reference data in every language of LANGUAGES (django-modeltranslation): each
field named here gets a column per language (``name_fr``, ``name_ar`` …) beside the
English one, and reading the field (``theme.name``, ``values("name")``, ordering,
filtering) gives the active language's, or the English where it is empty.

What is translated: the words of the interface around the content, which staff curate
once: theme names and descriptions, meeting titles, subjects and cities, the target
Ministerial's name and city, session titles, delegation names (a member state's come
from CLDR with the UN's own short names, ``recommendations/countries.py``). What is
not: the Chair's Summary's own texts (items, excerpts, session summaries, people's
titles), shown in English and marked so; an item's translations by staff are
``ItemTranslation`` rows, shown marked as translations.

A queryset of a model registered here reads the active language by itself; reaching a
translated field through a relation (``FollowUp.objects.values("delegation__name")``)
needs ``in_language("delegation__name")``."""

from django.conf import settings
from django.db.models import F, TextField, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils.translation import get_language
from modeltranslation.translator import TranslationOptions, register

from .countries import column_suffix
from .models import Delegation, Meeting, Session, Theme


@register(Theme)
class ThemeTranslation(TranslationOptions):
    fields = ("name", "description")


@register(Meeting)
class MeetingTranslation(TranslationOptions):
    fields = ("title", "theme", "city", "target_name", "target_city")


@register(Session)
class SessionTranslation(TranslationOptions):
    fields = ("title",)


@register(Delegation)
class DelegationTranslation(TranslationOptions):
    fields = ("name",)


def in_language(lookup: str):
    """The expression for a translated field reached through a relation (``"delegation__
    name"``), for ``values()``, ``order_by()`` and annotations of a model not registered
    here: the active language's column, or the English one where it is empty."""
    english = f"{lookup}_{column_suffix(settings.LANGUAGE_CODE)}"
    language = column_suffix(get_language() or settings.LANGUAGE_CODE)
    if language == column_suffix(settings.LANGUAGE_CODE):
        return F(english)
    return Coalesce(
        NullIf(F(f"{lookup}_{language}"), Value("")), F(english), output_field=TextField()
    )
