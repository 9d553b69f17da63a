"""Reference data: meetings, sessions, people, participations, delegations, themes.
Saved through ``services.reference_save``, which keeps their items' derived columns.
Meetings, sessions, delegations and themes have their names in every language
(``TranslationAdmin``: a field per language, ``recommendations/translation.py``)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.urls import reverse
from django.utils import translation
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from modeltranslation.admin import TranslationAdmin
from modeltranslation.utils import build_localized_fieldname

from .. import services
from ..models import Delegation, Meeting, Participation, Person, Session, Theme
from .base import TrackerAdmin


class NamesInEveryLanguageAdmin(TranslationAdmin):
    """A field per language for the translated names (``TranslationAdmin``), each marked
    with its language and direction, so that Arabic is typed and read right to left."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        language = getattr(db_field, "language", None)  # a modeltranslation field's
        if field is not None and language:
            bidi = translation.get_language_info(language)["bidi"]
            field.widget.attrs.update(lang=language, dir="rtl" if bidi else "ltr")
        return field


class ItemSourceAdmin(TrackerAdmin):
    """Meetings, sessions and people: their items derive columns from them (reading
    order, search text), which ``services.reference_save`` keeps."""

    def save_model(self, request, obj, form, change):
        services.reference_save(instance=obj)


@admin.register(Meeting)
class MeetingAdmin(NamesInEveryLanguageAdmin, ItemSourceAdmin):
    list_display = ("title", "kind", "city", "country", "start_date", "end_date", "is_synthetic")
    list_filter = ("kind", "is_synthetic")
    search_fields = ("title", "slug", "city")
    prepopulated_fields = {"slug": ("title",)}
    ordering = ("-start_date",)


@admin.register(Session)
class SessionAdmin(NamesInEveryLanguageAdmin, ItemSourceAdmin):
    list_display = ("code", "title", "meeting", "day", "order", "facilitator")
    list_select_related = ("meeting", "facilitator")
    list_filter = ("meeting",)
    search_fields = ("code", "title", "meeting__title")
    autocomplete_fields = ("facilitator",)


@admin.register(Person)
class PersonAdmin(ItemSourceAdmin):
    list_display = ("name", "honorific", "title", "affiliation", "delegation")
    list_select_related = ("delegation",)
    search_fields = ("name", "affiliation", "title", "^delegation__code")
    autocomplete_fields = ("delegation",)
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Participation)
class ParticipationAdmin(TrackerAdmin):
    list_display = ("person", "role", "meeting", "session", "day", "order", "note")
    list_select_related = ("person", "meeting", "session")
    list_filter = ("role", "meeting")
    search_fields = ("person__name", "^session__code")
    autocomplete_fields = ("person", "session")


# The name in English, the language the data is curated in (the form has a field per
# language, ``TranslationAdmin``); the other languages' names of a member state are
# filled in on save where left empty (``services.delegation_save``).
ENGLISH_NAME = build_localized_fieldname("name", settings.LANGUAGE_CODE)


class DelegationAdminForm(forms.ModelForm):
    """A member state is added by its ISO code or its country: the other, and its
    name, come from the ISO 3166 list (django-countries)."""

    class Meta:
        model = Delegation
        fields = ("code", "name", "kind", "country", "on_roster")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("code", ENGLISH_NAME):
            self.fields[name].required = False
        self.fields["code"].help_text = _(
            "ISO 3166 alpha-3 for member states (PAK), a short code for organisations (UNS). "
            "For a member state, the code or the country is enough."
        )

    def clean(self):
        data = super().clean()
        code = (data.get("code") or "").strip().upper()
        country = data.get("country") or ""
        if data.get("kind") == Delegation.Kind.MEMBER_STATE:
            from_code = countries.alpha2(code) if code else ""
            if code and not from_code:
                self.add_error(
                    "code", _("“%(code)s” is not an ISO 3166 alpha-3 code.") % {"code": code}
                )
                return data
            if country and from_code and str(country) != from_code:
                self.add_error("country", _("The country and the ISO code differ."))
                return data
            country = country or from_code
            code = code or (countries.alpha3(country) if country else "")
            if country and not data.get(ENGLISH_NAME):
                with translation.override(settings.LANGUAGE_CODE):
                    data[ENGLISH_NAME] = str(countries.name(country))
            data["country"] = country
        data["code"] = code
        for name, message in (
            ("code", _("Give the ISO code or the country.")),
            (ENGLISH_NAME, _("Give the name.")),
        ):
            if not data.get(name) and name not in self.errors:
                self.add_error(name, message)
        return data


@admin.register(Delegation)
class DelegationAdmin(NamesInEveryLanguageAdmin, TrackerAdmin):
    form = DelegationAdminForm
    list_display = ("code", "name", "kind", "country", "on_roster", "follow_ups_link")
    list_filter = ("on_roster", "kind")
    search_fields = ("^code", "name")
    ordering = ("code",)
    actions = ("add_to_roster", "remove_from_roster")

    def save_model(self, request, obj, form, change):
        services.delegation_save(delegation=obj)

    @admin.display(description=_("Follow-ups"))
    def follow_ups_link(self, obj):
        url = reverse("admin:recommendations_followup_changelist")
        return format_html(
            '<a href="{}?{}">{}</a>', url, urlencode({"delegation": obj.code}), gettext("List")
        )

    @admin.action(
        permissions=["change"], description=_("Add the selected delegations to the roster")
    )
    def add_to_roster(self, request, queryset):
        self._set_roster(request, queryset, on_roster=True)

    @admin.action(
        permissions=["change"], description=_("Take the selected delegations off the roster")
    )
    def remove_from_roster(self, request, queryset):
        self._set_roster(request, queryset, on_roster=False)

    def _set_roster(self, request, queryset, *, on_roster: bool) -> None:
        changed = services.delegations_set_roster(delegations=queryset, on_roster=on_roster)
        message = ngettext(
            "%(count)s delegation changed; follow-ups without a report, pledge or lead "
            "follow the roster.",
            "%(count)s delegations changed; follow-ups without a report, pledge or lead "
            "follow the roster.",
            changed,
        ) % {"count": changed}
        self.message_user(request, message, messages.SUCCESS)


@admin.register(Theme)
class ThemeAdmin(NamesInEveryLanguageAdmin, TrackerAdmin):
    list_display = ("name", "slug", "order")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
