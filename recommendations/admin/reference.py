"""Reference data: meetings, sessions, people, participations, delegations, themes.
Saved through ``services.reference_save``, which keeps their items' derived columns."""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .. import services
from ..models import Delegation, Meeting, Participation, Person, Session, Theme
from .base import TrackerAdmin


class ItemSourceAdmin(TrackerAdmin):
    """Meetings, sessions and people: their items derive columns from them (reading
    order, search text), which ``services.reference_save`` keeps."""

    def save_model(self, request, obj, form, change):
        services.reference_save(instance=obj)


@admin.register(Meeting)
class MeetingAdmin(ItemSourceAdmin):
    list_display = ("title", "kind", "city", "country", "start_date", "end_date", "is_synthetic")
    list_filter = ("kind", "is_synthetic")
    search_fields = ("title", "slug", "city")
    prepopulated_fields = {"slug": ("title",)}
    ordering = ("-start_date",)


@admin.register(Session)
class SessionAdmin(ItemSourceAdmin):
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


@admin.register(Delegation)
class DelegationAdmin(TrackerAdmin):
    list_display = ("code", "name", "kind", "country", "follow_ups_link")
    list_filter = ("kind",)
    search_fields = ("^code", "name")
    ordering = ("code",)

    @admin.display(description=_("Follow-ups"))
    def follow_ups_link(self, obj):
        url = reverse("admin:recommendations_followup_changelist")
        return format_html(
            '<a href="{}?{}">{}</a>', url, urlencode({"delegation": obj.code}), gettext("List")
        )


@admin.register(Theme)
class ThemeAdmin(TrackerAdmin):
    list_display = ("name", "slug", "order")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
