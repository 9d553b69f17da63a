"""Recommendations, with the delegations following each up."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from .. import access, exports, services
from ..forms import RecommendationAdminForm
from ..models import FollowUp, Recommendation
from ..status import State
from ..widgets import SafeAutocompleteMixin
from .base import HistoryAdmin, clean_term
from .filters import FollowUpStatusFilter, SessionFilter, ThemeFilter
from .translations import ItemTranslationInline


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
            .filter(access.audience(request.user).editable())
        )

    def has_add_permission(self, request, obj=None):
        return access.is_secretariat(request.user) and super().has_add_permission(request, obj)

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
        fields = [f"n_{value}" for value in State.values]
        counts = {
            row["pk"]: row
            for row in Recommendation.objects.filter(pk__in=[r.pk for r in rows])
            .order_by()
            .with_status_counts()
            .values("pk", *fields)
        }
        for row in rows:
            found = counts.get(row.pk, {})
            row.status_counts = {value: found.get(f"n_{value}", 0) for value in State.values}


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
    inlines = (FollowUpInline, ItemTranslationInline)
    actions = ("export_follow_ups",)
    fieldsets = (
        (None, {"fields": ("meeting", "session", "code", "order", "kind", "speaker")}),
        (_("Content"), {"fields": ("text", "source_excerpt", "themes")}),
    )

    def get_changelist(self, request, **kwargs):
        return RecommendationChangeList

    def save_model(self, request, obj, form, change):
        services.recommendation_save(instance=obj)

    def get_search_results(self, request, queryset, search_term):
        if (request.GET.get("model_name"), request.GET.get("field_name")) == (
            "followup",
            "recommendation",
        ) and not access.is_secretariat(request.user):
            # A focal point adding a follow-up: the items their delegation already
            # follows are not offered (they would be refused on save).
            own = access.delegation_of(request.user)
            if own is not None:
                queryset = queryset.exclude(follow_ups__delegation=own)
        term = clean_term(search_term)
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
        labels = dict(State.choices)
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
            access.editable(request.user, follow_ups), user=request.user, name_parts=["selected"]
        )
