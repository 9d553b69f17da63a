"""Progress updates: the list, the form, verification and the CSV import."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.options import ActionLocation
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from .. import access, services
from ..forms import UPDATE_FIELDS, ProgressUpdateAdminForm
from ..models import FollowUp, ProgressUpdate
from .base import (
    HistoryAdmin,
    VersionedAdminMixin,
    adopt,
    as_pk,
    may_edit_delegation,
)
from .filters import UpdateDelegationCodeFilter, VerifiedFilter
from .follow_ups import verification_text
from .imports import import_urls


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(VersionedAdminMixin, HistoryAdmin):
    form = ProgressUpdateAdminForm
    list_display = (
        "__str__",
        "date",
        "status",
        "visibility",
        "verified",
        "verified_by",
        "author",
    )
    list_select_related = (
        "follow_up__recommendation",
        "follow_up__delegation",
        "author",
        "verified_by",
    )
    list_filter = ("status", "visibility", VerifiedFilter, UpdateDelegationCodeFilter)
    search_fields = ("^follow_up__recommendation__code", "^follow_up__delegation__code")
    search_help_text = _("Recommendation code or delegation code.")
    autocomplete_fields = ("follow_up",)
    actions = ("mark_verified",)
    WHO_AND_WHEN = ("author", "created_at", "verification", "verified_by", "verified_at")

    def get_urls(self):
        return [*import_urls(self), *super().get_urls()]

    def get_queryset(self, request):
        queryset = (
            super()
            .get_queryset(request)
            .select_related(
                "follow_up__recommendation", "follow_up__delegation", "author", "verified_by"
            )
        )
        return access.editable(request.user, queryset, "follow_up__delegation")

    def _may_edit(self, request, obj) -> bool:
        return obj is None or may_edit_delegation(request, obj.follow_up.delegation_id)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and self._may_edit(request, obj)

    def has_change_permission(self, request, obj=None):
        if not (super().has_change_permission(request, obj) and self._may_edit(request, obj)):
            return False
        return obj is None or access.may_change_update(
            request.user, obj, obj.follow_up.delegation_id
        )

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._may_edit(request, obj)

    def has_verify_permission(self, request, obj=None):
        return access.may_verify(request.user)

    @admin.display(description=_("Verified"), boolean=True, ordering="verified_at")
    def verified(self, obj):
        return obj.verified_at is not None

    def get_fieldsets(self, request, obj=None):
        main = ["follow_up", *UPDATE_FIELDS, *self.version_field(request, obj)]
        fieldsets = [(None, {"fields": main})]
        if obj is not None:
            fieldsets.append(
                (
                    _("Who and when"),
                    {"fields": [*self.WHO_AND_WHEN]},
                )
            )
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        readonly = list(self.WHO_AND_WHEN)
        if obj is not None:
            readonly.append("follow_up")  # moving an update would leave a status behind
        return readonly

    @admin.display(description=_("Verification"))
    def verification(self, obj):
        return verification_text(obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "follow_up":
            kwargs["queryset"] = access.editable(
                request.user, FollowUp.objects.select_related("recommendation", "delegation")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST" and not access.is_secretariat(request.user):
            posted = request.POST.get("follow_up")
            if posted not in (None, "") and not (
                (pk := as_pk(posted))
                and access.editable(request.user, FollowUp.objects.all()).filter(pk=pk).exists()
            ):
                raise PermissionDenied(gettext("You may only add your own delegation's updates."))
        if object_id is not None:
            extra_context = {**(extra_context or {}), "show_verify_button": False}
            obj = self.get_object(request, unquote(object_id))
            if obj is not None and obj.verified_at is None:
                extra_context["show_verify_button"] = self.has_verify_permission(request, obj)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        try:
            if not change:
                saved = services.progress_update_create(
                    follow_up=obj.follow_up,
                    author=request.user,
                    **{name: form.cleaned_data[name] for name in UPDATE_FIELDS},
                )
            else:
                changed = [name for name in form.changed_data if name in UPDATE_FIELDS]
                saved = services.progress_update_change(
                    update=obj,
                    version=form.cleaned_data["version"],
                    user=request.user,
                    **{name: form.cleaned_data[name] for name in changed},
                )
        except PermissionError as error:
            raise PermissionDenied(str(error)) from error
        adopt(obj, saved)

    def delete_model(self, request, obj):
        try:
            services.progress_update_delete(update=obj, user=request.user)
        except PermissionError as error:
            raise PermissionDenied(str(error)) from error

    def delete_queryset(self, request, queryset):
        try:
            services.progress_updates_delete(updates=queryset, user=request.user)
        except PermissionError as error:
            raise PermissionDenied(str(error)) from error

    @admin.action(
        description=_("Mark verified"),
        permissions=["verify"],
        location=[ActionLocation.CHANGE_LIST, ActionLocation.CHANGE_FORM],
    )
    def mark_verified(self, request, queryset):
        """Secretariat staff confirm self-reported updates (who and when is recorded)."""
        try:
            verified = services.progress_updates_verify(
                updates=queryset.filter(verified_at__isnull=True), user=request.user
            )
        except (PermissionError, services.BusyError) as error:
            self.message_user(request, str(error), messages.ERROR)
            return None
        self.message_user(
            request,
            ngettext(
                "%(count)s progress update marked verified.",
                "%(count)s progress updates marked verified.",
                verified,
            )
            % {"count": verified},
            messages.SUCCESS if verified else messages.INFO,
        )
        return None
