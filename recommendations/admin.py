"""The admin: where Secretariat staff and delegation focal points record follow-up.

Rules that hold on every path (lists, forms, inlines, actions, history pages, exports,
autocomplete), checked on the server:

- a delegation focal point sees, adds and changes only their own delegation's
  follow-ups and progress updates (``FollowUpQuerySet.for_user``), reads
  recommendations, and deletes nothing;
- follow-ups and progress updates are written only through ``services``, so a
  follow-up's status always follows its latest progress update, every write leaves a
  history row naming its author, and a save based on a stale copy is refused;
- a list never counts more than ``LIST_COUNT_CAP`` rows (``CappedPaginator``), offers
  no select with thousands of options, and makes the same number of queries whatever
  its page size.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.options import ActionLocation
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.contrib.admin.views.main import PAGE_VAR, ChangeList
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from . import exports, services
from .admin_import import import_urls
from .filters import MAX_QUERY_LENGTH
from .forms import (
    UPDATE_FIELDS,
    FocalPointAdminForm,
    FollowUpAdminForm,
    ProgressUpdateAdminForm,
    ProgressUpdateInlineForm,
    RecommendationAdminForm,
    SetStatusForm,
)
from .models import (
    STATUS_VALUES,
    Delegation,
    FocalPoint,
    FollowUp,
    Meeting,
    Participation,
    Person,
    ProgressUpdate,
    Recommendation,
    ReminderLog,
    Session,
    Status,
    Theme,
)
from .pagination import CappedPaginator
from .roles import FOCAL_POINTS, user_delegation, user_is_secretariat
from .services import StaleEditError
from .widgets import SafeAutocompleteMixin

User = get_user_model()

# A bulk status change writes a progress update per follow-up in one transaction;
# beyond this many the request would run too long, so narrower filters are asked for.
BULK_STATUS_LIMIT = 1000
# How many of the selected follow-ups the confirmation page lists by name.
BULK_PREVIEW = 25


# ---------------------------------------------------------------------------
# Who may touch what


def may_edit_delegation(request, delegation_id) -> bool:
    """True when the user may see and change follow-ups of this delegation: Secretariat
    staff for all, a focal point for their own. Queries at most twice per request
    (the role and the delegation are cached on the user)."""
    if user_is_secretariat(request.user):
        return True
    own = user_delegation(request.user)
    return own is not None and own.pk == delegation_id


def _as_pk(value) -> int | None:
    """A posted primary key as an int, or None when it is not one."""
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


def _adopt(target, saved) -> None:
    """Make the object the admin holds the one a service saved (pk, version, status…),
    so the admin's log entry, message and redirect speak of the saved row."""
    if target is not saved:
        target.__dict__.update(saved.__dict__)


def _clean_term(text: str) -> str:
    """A search term without control characters (a NUL byte would make the database
    refuse the query) and of bounded length."""
    return "".join(c for c in text if ord(c) >= 32)[:MAX_QUERY_LENGTH].strip()


# ---------------------------------------------------------------------------
# Base classes


class CappedListMixin(SafeAutocompleteMixin):
    """Lists that stay fast on huge tables: a bounded COUNT, no full count, no facet
    counts, a sane page size."""

    paginator = CappedPaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    list_per_page = 50
    list_max_show_all = 200

    class Media:
        css = {"all": ["recommendations/admin.css"]}

    def get_search_results(self, request, queryset, search_term):
        return super().get_search_results(request, queryset, _clean_term(search_term))

    def response_action(self, request, queryset, *args, **kwargs):
        # A forged selection ("abc") would fail inside the query as a 500.
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        if any(_as_pk(value) is None for value in selected):
            self.message_user(
                request,
                gettext("The selection was not understood; nothing was changed."),
                messages.ERROR,
            )
            return None
        return super().response_action(request, queryset, *args, **kwargs)


class TrackerAdmin(CappedListMixin, admin.ModelAdmin):
    pass


class HistoryAdmin(CappedListMixin, SimpleHistoryAdmin):
    """Admin of a model with history: the History page lists every create, change and
    delete with who, when and which fields changed. History is read-only (no revert:
    a revert would write around the services) and shown only for objects the user may
    see; the history of deleted objects only to Secretariat staff."""

    object_history_list_template = "admin/recommendations/object_history_list.html"
    history_list_per_page = 50

    def revert_disabled(self, request, obj=None):
        return True

    def _history_allowed(self, request, object_id) -> bool:
        if self.get_object(request, unquote(object_id)) is not None:
            return True
        if not user_is_secretariat(request.user):
            return False
        pk = _as_pk(unquote(object_id))
        return pk is not None and self.model.history.filter(id=pk).exists()

    def history_view(self, request, object_id, extra_context=None):
        if not self._history_allowed(request, object_id):
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method not in ("GET", "HEAD"):
            raise PermissionDenied(gettext("History is read-only."))
        if _as_pk(version_id) is None:
            raise Http404
        if not self._history_allowed(request, object_id):
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)


# ---------------------------------------------------------------------------
# List filters. None of them lists more than a few dozen links; codes are typed.


class InputFilter(admin.SimpleListFilter):
    """A filter typed into a small text box (a delegation code…), for fields with
    too many values to list as links."""

    template = "admin/recommendations/input_filter.html"
    lookup: str = ""
    upper = True
    max_length = 40

    def lookups(self, request, model_admin):
        return ()

    def has_output(self):
        return True

    def cleaned_value(self) -> str | None:
        value = (self.value() or "").strip()
        if not value:
            return None
        return value.upper() if self.upper else value

    def queryset(self, request, queryset):
        value = self.cleaned_value()
        if value is None:
            return queryset
        if len(value) > self.max_length or any(ord(c) < 32 for c in value):
            return queryset.none()
        return queryset.filter(**{self.lookup: value})

    def choices(self, changelist):
        # The template needs the other parameters (to keep them) and a link that
        # clears this one, not a list of links.
        yield {
            "selected": self.value() is not None,
            "value": self.value() or "",
            "other_params": [
                (key, value)
                for key, value in changelist.params.items()
                if key not in (self.parameter_name, PAGE_VAR)
            ],
            "clear_url": changelist.get_query_string(remove=[self.parameter_name]),
            "input_id": f"filter-{self.parameter_name}",
        }


class DelegationCodeFilter(InputFilter):
    title = _("delegation code")
    parameter_name = "delegation"
    lookup = "delegation__code"


class RecommendationCodeFilter(InputFilter):
    title = _("recommendation code")
    parameter_name = "recommendation"
    lookup = "recommendation__code"
    upper = False


class UpdateDelegationCodeFilter(InputFilter):
    title = _("delegation code")
    parameter_name = "delegation"
    lookup = "follow_up__delegation__code"


class _ChoiceFilter(admin.SimpleListFilter):
    """A SimpleListFilter that refuses values it does not offer (no 500, no surprise)."""

    def known_value(self):
        value = self.value()
        return value if value in {str(key) for key, _label in self.lookup_choices} else None


class ThemeFilter(_ChoiceFilter):
    """Items carrying a theme, by an EXISTS subquery: no join that would duplicate
    rows or inflate the per-status counts."""

    title = _("theme")
    parameter_name = "theme"
    recommendation_ref = "pk"

    def lookups(self, request, model_admin):
        return list(Theme.objects.values_list("slug", "name"))

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        if self.known_value() is None:
            return queryset.none()
        tagged = Recommendation.themes.through.objects.filter(
            recommendation=OuterRef(self.recommendation_ref), theme__slug=value
        )
        return queryset.filter(Exists(tagged))


class FollowUpThemeFilter(ThemeFilter):
    recommendation_ref = "recommendation"


class SessionFilter(_ChoiceFilter):
    """Sessions of the curated meetings (the synthetic load-test meeting would list
    hundreds), at most ``LIMIT`` links."""

    title = _("session")
    parameter_name = "session"
    field = "session"
    LIMIT = 60

    def lookups(self, request, model_admin):
        real = Session.objects.filter(meeting__is_synthetic=False).select_related("meeting")
        sessions = list(real[: self.LIMIT])
        several_meetings = len({s.meeting_id for s in sessions}) > 1
        return [
            (str(s.pk), f"{s.meeting.slug} {s}" if several_meetings else str(s)) for s in sessions
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        pk = _as_pk(value)
        if pk is None:
            return queryset.none()
        return queryset.filter(**{self.field: pk})


class FollowUpSessionFilter(SessionFilter):
    field = "recommendation__session"


class FollowUpStatusFilter(_ChoiceFilter):
    """Recommendations with at least one follow-up in the status (EXISTS subquery)."""

    title = _("follow-up status")
    parameter_name = "follow_up_status"

    def lookups(self, request, model_admin):
        return Status.choices

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        if self.known_value() is None:
            return queryset.none()
        return queryset.filter(
            Exists(FollowUp.objects.filter(recommendation=OuterRef("pk"), status=value))
        )


class OverdueFilter(_ChoiceFilter):
    title = _("overdue")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("Overdue")), ("no", _("Not overdue"))]

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        if value == "yes":
            return queryset.overdue()
        if value == "no":
            return queryset.not_overdue()
        return queryset.none()


class VerifiedFilter(_ChoiceFilter):
    title = _("verified")
    parameter_name = "verified"

    def lookups(self, request, model_admin):
        return [("yes", _("Verified")), ("no", _("Self-reported"))]

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        if value in ("yes", "no"):
            return queryset.filter(verified_at__isnull=value == "no")
        return queryset.none()


# ---------------------------------------------------------------------------
# Reference data


@admin.register(Meeting)
class MeetingAdmin(TrackerAdmin):
    list_display = ("title", "kind", "city", "country", "start_date", "end_date", "is_synthetic")
    list_filter = ("kind", "is_synthetic")
    search_fields = ("title", "slug", "city")
    prepopulated_fields = {"slug": ("title",)}
    ordering = ("-start_date",)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # The meeting's date is part of its items' reading order.
        services.recommendations_rebuild_derived_fields(queryset=obj.recommendations.all())


@admin.register(Session)
class SessionAdmin(TrackerAdmin):
    list_display = ("code", "title", "meeting", "day", "order", "facilitator")
    list_select_related = ("meeting", "facilitator")
    list_filter = ("meeting",)
    search_fields = ("code", "title", "meeting__title")
    autocomplete_fields = ("facilitator",)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # The session's day and order are part of its items' reading order.
        services.recommendations_rebuild_derived_fields(queryset=obj.recommendations.all())


@admin.register(Person)
class PersonAdmin(TrackerAdmin):
    list_display = ("name", "honorific", "title", "affiliation", "delegation")
    list_select_related = ("delegation",)
    search_fields = ("name", "affiliation", "title", "^delegation__code")
    autocomplete_fields = ("delegation",)
    prepopulated_fields = {"slug": ("name",)}

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # The speaker's name is part of the search text of their items.
        services.recommendations_rebuild_derived_fields(queryset=obj.recommendations.all())


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


# ---------------------------------------------------------------------------
# Recommendations


class FollowUpInline(SafeAutocompleteMixin, admin.TabularInline):
    """The delegations following up a recommendation. Existing rows are read-only here
    (each is edited on its own page, where its version is checked); Secretariat staff
    may add follow-ups for more delegations. A focal point sees only their own row."""

    model = FollowUp
    fields = ("delegation", "status", "target_date", "last_update_date", "pledge", "lead")
    readonly_fields = ("status", "last_update_date")
    autocomplete_fields = ("delegation",)
    ordering = ("delegation__code",)
    extra = 0
    show_change_link = True
    verbose_name_plural = _("Follow-ups by delegation")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("recommendation", "delegation")
            .for_user(request.user)
        )

    def has_add_permission(self, request, obj=None):
        return user_is_secretariat(request.user) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RecommendationChangeList(ChangeList):
    """Adds the themes (one prefetch query) and the per-status follow-up counts of the
    rows on the page (one aggregate query, ``with_status_counts``): the counts are
    computed for the page, never for the whole filtered table."""

    def get_queryset(self, request, exclude_parameters=None):
        return super().get_queryset(request, exclude_parameters).prefetch_related("themes")

    def get_results(self, request):
        super().get_results(request)
        rows = list(self.result_list)  # evaluates and caches the page
        if not rows:
            return
        fields = [f"n_{value}" for value in STATUS_VALUES]
        counts = {
            row["pk"]: row
            for row in Recommendation.objects.filter(pk__in=[r.pk for r in rows])
            .order_by()
            .with_status_counts()
            .values("pk", *fields)
        }
        for row in rows:
            found = counts.get(row.pk, {})
            row.status_counts = {value: found.get(f"n_{value}", 0) for value in STATUS_VALUES}


@admin.register(Recommendation)
class RecommendationAdmin(HistoryAdmin):
    form = RecommendationAdminForm
    list_display = ("code", "session_code", "speaker", "kind", "theme_names", "follow_up_counts")
    list_select_related = ("session", "speaker")
    list_filter = (
        ("meeting", admin.RelatedFieldListFilter),
        SessionFilter,
        ThemeFilter,
        "kind",
        FollowUpStatusFilter,
    )
    search_fields = ("code",)  # widened to the full-text search in get_search_results
    search_help_text = _("Code, text, source excerpt or speaker name.")
    autocomplete_fields = ("speaker", "session", "themes")
    inlines = (FollowUpInline,)
    actions = ("export_follow_ups",)
    fieldsets = (
        (None, {"fields": ("meeting", "session", "code", "order", "kind", "speaker")}),
        (_("Content"), {"fields": ("text", "source_excerpt", "themes")}),
    )

    def get_changelist(self, request, **kwargs):
        return RecommendationChangeList

    def get_search_results(self, request, queryset, search_term):
        term = _clean_term(search_term)
        if not term:
            return queryset, False
        matches = Recommendation.objects.search(term).values("pk")
        return queryset.filter(Q(code__istartswith=term) | Q(pk__in=matches)), False

    @admin.display(description=_("Session"), ordering="session__code")
    def session_code(self, obj):
        return obj.session.code

    @admin.display(description=_("Themes"))
    def theme_names(self, obj):
        return ", ".join(theme.name for theme in obj.themes.all())

    @admin.display(description=_("Follow-ups by status"))
    def follow_up_counts(self, obj):
        counts = getattr(obj, "status_counts", None) or {}
        url = reverse("admin:recommendations_followup_changelist")
        labels = dict(Status.choices)
        links = [
            (url, urlencode({"recommendation": obj.code, "status__exact": value}), n, labels[value])
            for value, n in counts.items()
            if n
        ]
        if not links:
            return "–"
        return format_html_join(" · ", '<a href="{}?{}">{}&nbsp;{}</a>', links)

    def save_formset(self, request, form, formset, change):
        if formset.model is not FollowUp:
            return super().save_formset(request, form, formset, change)
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for inline_form in formset.extra_forms:
            if not inline_form.has_changed():
                continue
            data = inline_form.cleaned_data
            try:
                created = services.follow_up_create(
                    recommendation=form.instance,
                    delegation=data["delegation"],
                    target_date=data.get("target_date"),
                    pledge=data.get("pledge", ""),
                    lead=data.get("lead", ""),
                    user=request.user,
                )
            except PermissionError as error:
                raise PermissionDenied(str(error)) from error
            inline_form.instance = created
            formset.new_objects.append(created)

    @admin.action(
        description=_("Export the follow-ups of the selected recommendations as CSV"),
        permissions=["view"],
    )
    def export_follow_ups(self, request, queryset):
        follow_ups = FollowUp.objects.filter(recommendation__in=queryset.values("pk"))
        return exports.follow_ups_response(
            follow_ups.for_user(request.user), user=request.user, name_parts=["selected"]
        )


# ---------------------------------------------------------------------------
# Follow-ups and their progress updates


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
    ordering = ("-date", "-created_at", "-id")
    extra = 1
    show_change_link = True

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("author", "verified_by", "follow_up__recommendation")
            .select_related("follow_up__delegation")
        )

    def has_change_permission(self, request, obj=None):
        return user_is_secretariat(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return user_is_secretariat(request.user) and super().has_delete_permission(request, obj)

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
        "date": update.verified_at.date().isoformat(),
    }


@admin.register(FollowUp)
class FollowUpAdmin(HistoryAdmin):
    form = FollowUpAdminForm
    list_display = (
        "recommendation_code",
        "delegation_display",
        "status",
        "target_date",
        "last_update_date",
        "overdue",
    )
    list_display_links = ("recommendation_code",)
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
            .for_user(request.user)
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

    @admin.display(description=_("Recommendation text"))
    def recommendation_text(self, obj):
        return obj.recommendation.text if obj and obj.recommendation_id else ""

    # The form

    def get_fieldsets(self, request, obj=None):
        main = ["recommendation", "delegation"]
        if obj is not None:
            main += ["recommendation_text", "status", "last_update_date"]
        main += ["target_date", "pledge", "lead"]
        if obj is not None and self.has_change_permission(request, obj):
            main.append("version")
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

    def get_form(self, request, obj=None, change=False, **kwargs):
        # "version" is a declared form field that shadows a non-editable model field,
        # which modelform_factory refuses to see named in ``fields``.
        fields = kwargs.pop("fields", None) or flatten_fieldsets(self.get_fieldsets(request, obj))
        kwargs["fields"] = [name for name in fields if name != "version"]
        return super().get_form(request, obj, change, **kwargs)

    def get_autocomplete_fields(self, request):
        if user_is_secretariat(request.user):
            return self.autocomplete_fields
        # A focal point picks from one delegation: their own.
        return ("recommendation",)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "delegation" and not user_is_secretariat(request.user):
            own = user_delegation(request.user)
            kwargs["queryset"] = Delegation.objects.filter(pk=own.pk if own else None)
            kwargs["empty_label"] = None
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        own = None if user_is_secretariat(request.user) else user_delegation(request.user)
        if own is not None:
            initial["delegation"] = own.pk
        return initial

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST" and not user_is_secretariat(request.user):
            posted = request.POST.get("delegation")
            if posted not in (None, "") and not may_edit_delegation(request, _as_pk(posted)):
                raise PermissionDenied(
                    gettext("You may only add your own delegation's follow-ups.")
                )
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except StaleEditError as error:
            # Raised under the row lock after the form's own check passed: the whole
            # request has been rolled back by the atomic block around it.
            self.message_user(request, str(error), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

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
                    current = FollowUp.objects.select_for_update().only("version").get(pk=obj.pk)
                    if current.version != version:
                        raise StaleEditError(obj)
                    saved = obj
        except PermissionError as error:
            raise PermissionDenied(str(error)) from error
        _adopt(obj, saved)

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
        queryset = queryset.for_user(request.user)
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
            except PermissionError as error:
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
            queryset.for_user(request.user), user=request.user, name_parts=["selected"]
        )


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(HistoryAdmin):
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
        if user_is_secretariat(request.user):
            return queryset
        own = user_delegation(request.user)
        if own is None:
            return queryset.none()
        return queryset.filter(follow_up__delegation=own)

    def _may_edit(self, request, obj) -> bool:
        return obj is None or may_edit_delegation(request, obj.follow_up.delegation_id)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and self._may_edit(request, obj)

    def has_change_permission(self, request, obj=None):
        if not (super().has_change_permission(request, obj) and self._may_edit(request, obj)):
            return False
        # A focal point may correct a self-reported update, not one staff verified.
        return obj is None or obj.verified_at is None or user_is_secretariat(request.user)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._may_edit(request, obj)

    def has_verify_permission(self, request, obj=None):
        return user_is_secretariat(request.user)

    @admin.display(description=_("Verified"), boolean=True, ordering="verified_at")
    def verified(self, obj):
        return obj.verified_at is not None

    def get_fieldsets(self, request, obj=None):
        fieldsets = [(None, {"fields": ["follow_up", *UPDATE_FIELDS]})]
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
            kwargs["queryset"] = FollowUp.objects.for_user(request.user).select_related(
                "recommendation", "delegation"
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST" and not user_is_secretariat(request.user):
            posted = request.POST.get("follow_up")
            if posted not in (None, "") and not (
                (pk := _as_pk(posted))
                and FollowUp.objects.for_user(request.user).filter(pk=pk).exists()
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
                    user=request.user,
                    **{name: form.cleaned_data[name] for name in changed},
                )
        except PermissionError as error:
            raise PermissionDenied(str(error)) from error
        _adopt(obj, saved)

    def delete_model(self, request, obj):
        try:
            services.progress_update_delete(update=obj, user=request.user)
        except PermissionError as error:
            raise PermissionDenied(str(error)) from error

    def delete_queryset(self, request, queryset):
        try:
            with transaction.atomic():
                for update in queryset:
                    services.progress_update_delete(update=update, user=request.user)
        except PermissionError as error:
            raise PermissionDenied(str(error)) from error

    @admin.action(
        description=_("Mark verified"),
        permissions=["verify"],
        location=[ActionLocation.CHANGE_LIST, ActionLocation.CHANGE_FORM],
    )
    def mark_verified(self, request, queryset):
        """Secretariat staff confirm self-reported updates (who and when is recorded)."""
        verified = 0
        try:
            with transaction.atomic():
                for update in queryset.filter(verified_at__isnull=True):
                    services.progress_update_verify(update=update, user=request.user)
                    verified += 1
        except PermissionError as error:
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


# ---------------------------------------------------------------------------
# Focal points and users


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
            queryset = queryset.filter(groups__name=FOCAL_POINTS)
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


admin.site.site_header = _("Ministerial recommendations tracker")
admin.site.site_title = _("Recommendations tracker admin")
admin.site.index_title = _("Record and follow up")
