"""Follow-ups, with their progress updates inline, and the bulk status change."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import flatten_fieldsets
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import Truncator
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from .. import access, exports, services
from ..forms import UPDATE_FIELDS, FollowUpAdminForm, ProgressUpdateInlineForm, SetStatusForm
from ..models import Delegation, FollowUp, ProgressUpdate
from ..status import LATEST_FIRST, Status
from ..widgets import SafeAutocompleteMixin
from .base import (
    HistoryAdmin,
    OneDelegationMixin,
    VersionedAdminMixin,
    adopt,
    as_pk,
    may_edit_delegation,
    without_version,
)
from .filters import (
    DelegationCodeFilter,
    FollowUpSessionFilter,
    FollowUpThemeFilter,
    OverdueFilter,
    RecommendationCodeFilter,
)

# A bulk status change writes a progress update per follow-up in one transaction;
# beyond this many the request would run too long, so narrower filters are asked for.
BULK_STATUS_LIMIT = 1000
# How many of the selected follow-ups the confirmation page lists by name.
BULK_PREVIEW = 25


def save_progress_formset(request, formset, follow_up) -> None:
    """Save a formset of progress updates through the services, so the follow-up's
    status follows and each row's history names the user; fill the attributes the
    admin's change message reads."""
    formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
    deleted = formset.deleted_forms if formset.can_delete else []
    try:
        for form in formset.initial_forms:
            update = form.instance
            if form in deleted:
                services.progress_update_delete(update=update, user=request.user)
                formset.deleted_objects.append(update)
            elif form.has_changed():
                changed = [name for name in form.changed_data if name in UPDATE_FIELDS]
                services.progress_update_change(
                    update=update,
                    version=form.cleaned_data["version"],
                    user=request.user,
                    **{name: form.cleaned_data[name] for name in changed},
                )
                formset.changed_objects.append((update, changed))
        for form in formset.extra_forms:
            if not form.has_changed() or form in deleted:
                continue
            created = services.progress_update_create(
                follow_up=follow_up,
                author=request.user,
                **{name: form.cleaned_data[name] for name in UPDATE_FIELDS},
            )
            form.instance = created
            formset.new_objects.append(created)
    except PermissionError as error:
        raise PermissionDenied(str(error)) from error


class ProgressUpdateInline(SafeAutocompleteMixin, admin.TabularInline):
    """Progress updates of a follow-up, newest first. Adding one with a new status
    changes the follow-up's status. A focal point adds updates here; changing an
    earlier one is done on its own page (where a verified update is locked)."""

    model = ProgressUpdate
    form = ProgressUpdateInlineForm
    fields = ("date", "status", "visibility", "note", "evidence_url", "author", "verification")
    readonly_fields = ("author", "verification")
    ordering = LATEST_FIRST
    extra = 1
    show_change_link = True

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("author", "verified_by", "follow_up__recommendation")
            .select_related("follow_up__delegation")
        )

    def get_fieldsets(self, request, obj=None):
        # Each editable row carries the version it was loaded at (forms.VersionedForm).
        (name, options), *rest = super().get_fieldsets(request, obj)
        if self.has_change_permission(request, obj):
            options = {**options, "fields": [*options["fields"], "version"]}
        return [(name, options), *rest]

    def get_formset(self, request, obj=None, **kwargs):
        fields = kwargs.pop("fields", None) or flatten_fieldsets(self.get_fieldsets(request, obj))
        return super().get_formset(request, obj, fields=without_version(fields), **kwargs)

    def has_change_permission(self, request, obj=None):
        return access.is_secretariat(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return access.is_secretariat(request.user) and super().has_delete_permission(request, obj)

    @admin.display(description=_("Verification"))
    def verification(self, obj):
        return verification_text(obj)


def verification_text(update) -> str:
    if update is None or update.pk is None:
        return ""
    if update.verified_at is None:
        return gettext("Self-reported")
    return gettext("Verified by %(user)s on %(date)s") % {
        "user": update.verified_by or gettext("(deleted user)"),
        "date": date_format(timezone.localtime(update.verified_at).date()),
    }


@admin.register(FollowUp)
class FollowUpAdmin(OneDelegationMixin, VersionedAdminMixin, HistoryAdmin):
    form = FollowUpAdminForm
    list_display = (
        "recommendation_code",
        "recommendation_gist",
        "delegation_display",
        "status",
        "target_date",
        "last_update_date",
        "overdue",
    )
    list_display_links = ("recommendation_code",)
    delegation_columns = ("delegation_display",)
    list_select_related = ("recommendation", "delegation")
    list_filter = (
        DelegationCodeFilter,
        RecommendationCodeFilter,
        "status",
        FollowUpThemeFilter,
        FollowUpSessionFilter,
        OverdueFilter,
        "is_illustrative",
    )
    search_fields = ("^recommendation__code", "^delegation__code", "delegation__name")
    search_help_text = _("Recommendation code, delegation code or name.")
    autocomplete_fields = ("recommendation", "delegation")
    # The unique (recommendation, delegation) index serves this order, so a page of a
    # million follow-ups is read without sorting them all.
    ordering = ("recommendation_id", "delegation_id")
    inlines = (ProgressUpdateInline,)
    actions = ("set_status", "export_csv")

    # Lists and permissions

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("recommendation", "delegation")
            .filter(access.audience(request.user).editable())
        )

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and (
            obj is None or may_edit_delegation(request, obj.delegation_id)
        )

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (
            obj is None or may_edit_delegation(request, obj.delegation_id)
        )

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (
            obj is None or may_edit_delegation(request, obj.delegation_id)
        )

    @admin.display(description=_("Recommendation"), ordering="recommendation__code")
    def recommendation_code(self, obj):
        return obj.recommendation.code

    @admin.display(description=_("Delegation"), ordering="delegation__code")
    def delegation_display(self, obj):
        return f"{obj.delegation.code} – {obj.delegation.name}"

    @admin.display(description=_("Overdue"), boolean=True)
    def overdue(self, obj):
        return obj.is_overdue

    @admin.display(description=_("Item"))
    def recommendation_gist(self, obj):
        """The item's text beside its code: a code alone says little."""
        return Truncator(obj.recommendation.text).chars(100)

    @admin.display(description=_("Recommendation text"))
    def recommendation_text(self, obj):
        return obj.recommendation.text if obj and obj.recommendation_id else ""

    # The form

    def get_fieldsets(self, request, obj=None):
        main = ["recommendation", "delegation"]
        if obj is not None:
            main += ["recommendation_text", "status", "last_update_date"]
        main += ["target_date", "pledge", "lead", *self.version_field(request, obj)]
        fieldsets = [(None, {"fields": main})]
        if obj is not None:
            fieldsets.append(
                (
                    _("Record"),
                    {
                        "fields": ["is_illustrative", "created_at", "updated_at"],
                        "classes": ["collapse"],
                    },
                )
            )
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return (
            "recommendation",
            "delegation",
            "recommendation_text",
            "status",
            "last_update_date",
            "is_illustrative",
            "created_at",
            "updated_at",
        )

    def get_autocomplete_fields(self, request):
        if access.is_secretariat(request.user):
            return self.autocomplete_fields
        # A focal point picks from one delegation: their own.
        return ("recommendation",)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "delegation" and not access.is_secretariat(request.user):
            own = access.delegation_of(request.user)
            kwargs["queryset"] = Delegation.objects.filter(pk=own.pk if own else None)
            kwargs["empty_label"] = None
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        own = None if access.is_secretariat(request.user) else access.delegation_of(request.user)
        if own is not None:
            initial["delegation"] = own.pk
        return initial

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST" and not access.is_secretariat(request.user):
            posted = request.POST.get("delegation")
            if posted not in (None, "") and not may_edit_delegation(request, as_pk(posted)):
                raise PermissionDenied(
                    gettext("You may only add your own delegation's follow-ups.")
                )
        return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        try:
            if not change:
                saved = services.follow_up_create(
                    recommendation=obj.recommendation,
                    delegation=obj.delegation,
                    target_date=obj.target_date,
                    pledge=obj.pledge,
                    lead=obj.lead,
                    user=request.user,
                )
            else:
                version = form.cleaned_data["version"]
                edited = {name: form.cleaned_data[name] for name in form.edited_fields}
                if edited:
                    saved = services.follow_up_update(
                        follow_up=obj, version=version, user=request.user, **edited
                    )
                else:
                    # Nothing of its own changed (only the inline, if anything): check the
                    # version under the row lock without writing the follow-up.
                    services.check_version(obj, version)
                    saved = obj
        except PermissionError as error:
            raise PermissionDenied(str(error)) from error
        adopt(obj, saved)

    def save_formset(self, request, form, formset, change):
        if formset.model is ProgressUpdate:
            save_progress_formset(request, formset, form.instance)
        else:
            super().save_formset(request, form, formset, change)

    # Bulk actions

    @admin.action(
        description=_("Set the status of the selected follow-ups…"), permissions=["change"]
    )
    def set_status(self, request, queryset):
        """Two steps: choose the status (and date, note), then every selected follow-up
        gets a progress update recording who did it, all in one transaction."""
        queryset = access.editable(request.user, queryset)
        selected = queryset[: BULK_STATUS_LIMIT + 1].count()
        if selected == 0:
            self.message_user(
                request,
                gettext("None of the selected follow-ups can be changed by you."),
                messages.WARNING,
            )
            return None
        if selected > BULK_STATUS_LIMIT:
            self.message_user(
                request,
                gettext(
                    "More than %(limit)s follow-ups are selected; narrow the filters and "
                    "change them in several steps."
                )
                % {"limit": f"{BULK_STATUS_LIMIT:,}"},
                messages.ERROR,
            )
            return None
        form = SetStatusForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            status = form.cleaned_data["status"]
            try:
                changed = services.follow_ups_set_status(
                    follow_ups=queryset,
                    status=status,
                    user=request.user,
                    date=form.cleaned_data["date"],
                    note=form.cleaned_data["note"],
                )
            except (PermissionError, services.BusyError) as error:
                self.message_user(request, str(error), messages.ERROR)
                return None
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
                return None
            label = Status(status).label
            message = ngettext(
                "%(count)s follow-up set to “%(status)s”.",
                "%(count)s follow-ups set to “%(status)s”.",
                changed,
            ) % {"count": changed, "status": label}
            if changed < selected:
                message += " " + ngettext(
                    "%(count)s already had that status and was left alone.",
                    "%(count)s already had that status and were left alone.",
                    selected - changed,
                ) % {"count": selected - changed}
            self.message_user(request, message, messages.SUCCESS)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": ngettext(
                "Set the status of %(count)s follow-up",
                "Set the status of %(count)s follow-ups",
                selected,
            )
            % {"count": selected},
            "opts": self.opts,
            "form": form,
            "count": selected,
            "preview": list(queryset[:BULK_PREVIEW]),
            "more": max(selected - BULK_PREVIEW, 0),
            "selected_ids": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
            "select_across": request.POST.get("select_across", "0"),
            "action_name": "set_status",
            "media": self.media + form.media,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/recommendations/followup/set_status.html", context)

    @admin.action(description=_("Export the selected follow-ups as CSV"), permissions=["view"])
    def export_csv(self, request, queryset):
        return exports.follow_ups_response(
            access.editable(request.user, queryset), user=request.user, name_parts=["selected"]
        )
