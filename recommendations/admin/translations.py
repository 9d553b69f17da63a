"""Translations of items: Secretariat staff add an item's text in another language, on a
page of its own (saved through ``services.item_translation_save``, a stale copy refused);
the item's page lists them."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .. import access, services
from ..forms import ItemTranslationAdminForm
from ..models import ItemTranslation
from .base import TrackerAdmin, VersionedAdminMixin, adopt


@admin.register(ItemTranslation)
class ItemTranslationAdmin(VersionedAdminMixin, TrackerAdmin):
    form = ItemTranslationAdminForm
    list_display = ("recommendation", "language", "translated_by", "updated_at")
    list_select_related = ("recommendation", "translated_by")
    list_filter = ("language",)
    search_fields = ("^recommendation__code", "text")
    autocomplete_fields = ("recommendation",)
    readonly_fields = ("translated_by", "updated_at")

    def get_fieldsets(self, request, obj=None):
        fields = ["recommendation", "language", "text", *self.version_field(request, obj)]
        return [(None, {"fields": fields}), (None, {"fields": ["translated_by", "updated_at"]})]

    def has_add_permission(self, request):
        return access.is_secretariat(request.user) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return access.is_secretariat(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return access.is_secretariat(request.user) and super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        saved = services.item_translation_save(
            translation=obj, version=form.cleaned_data.get("version"), user=request.user
        )
        adopt(obj, saved)


class ItemTranslationInline(admin.TabularInline):
    """An item's translations, read here; each is added and changed on its own page."""

    model = ItemTranslation
    fields = ("language", "text", "translated_by", "updated_at")
    readonly_fields = fields
    extra = 0
    show_change_link = True
    verbose_name_plural = _("Translations of the text")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
