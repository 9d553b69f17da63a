"""Focal points, users and the reminder log."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from .. import access
from ..forms import FocalPointAdminForm
from ..models import FocalPoint, ReminderLog
from ..widgets import SafeAutocompleteMixin
from .base import CappedListMixin, TrackerAdmin

User = get_user_model()


@admin.register(FocalPoint)
class FocalPointAdmin(TrackerAdmin):
    """Which delegation each focal-point account speaks for. Secretariat staff manage
    the links; the accounts are created by superusers or ``add_focal_point``."""

    form = FocalPointAdminForm
    list_display = ("user", "email", "delegation", "is_active", "last_login")
    list_select_related = ("user", "delegation")
    list_filter = ("user__is_active",)
    search_fields = ("user__username", "user__email", "^delegation__code", "delegation__name")
    autocomplete_fields = ("user", "delegation")

    @admin.display(description=_("Email"), ordering="user__email")
    def email(self, obj):
        return obj.user.email

    @admin.display(description=_("Active"), boolean=True, ordering="user__is_active")
    def is_active(self, obj):
        return obj.user.is_active

    @admin.display(description=_("Last login"), ordering="user__last_login")
    def last_login(self, obj):
        return obj.user.last_login


class FocalPointInline(SafeAutocompleteMixin, admin.StackedInline):
    model = FocalPoint
    fk_name = "user"
    autocomplete_fields = ("delegation",)
    max_num = 1
    can_delete = True
    verbose_name = _("Delegation focal point for")
    verbose_name_plural = verbose_name


if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.register(User)
class UserAdmin(CappedListMixin, DjangoUserAdmin):
    """Django's user admin (superusers only may change users) with the delegation a
    focal point speaks for."""

    inlines = (FocalPointInline,)

    def get_search_results(self, request, queryset, search_term):
        queryset, distinct = super().get_search_results(request, queryset, search_term)
        if request.GET.get("model_name") == "focalpoint":
            # Autocomplete of FocalPoint.user: only focal-point accounts.
            queryset = queryset.filter(access.focal_point_accounts())
        return queryset, distinct


@admin.register(ReminderLog)
class ReminderLogAdmin(TrackerAdmin):
    list_display = ("date", "kind", "user", "follow_up", "sent_at")
    list_select_related = ("user", "follow_up__recommendation", "follow_up__delegation")
    list_filter = ("kind",)
    search_fields = ("user__username", "^follow_up__recommendation__code")
    raw_id_fields = ("user", "follow_up")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
