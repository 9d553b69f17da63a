"""The admin's list filters. None of them lists more than a few dozen links; codes are
typed; a value a filter does not offer gives an empty list, never an error."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.views.main import PAGE_VAR
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from .. import access
from ..models import FollowUp, Recommendation, Session, Theme, real_meetings
from ..status import State
from .base import as_pk


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


class StaffOnlyInputFilter(InputFilter):
    """Filters by delegation: they still apply for a focal point (a link with
    ``?delegation=`` keeps working) but are not offered, since a focal point acts for
    one delegation."""

    def __init__(self, request, params, model, model_admin):
        super().__init__(request, params, model, model_admin)
        if not access.is_secretariat(request.user):
            # Still applied (Django applies only filters with output), never shown.
            self.template = "admin/recommendations/filter_not_offered.html"


class DelegationCodeFilter(StaffOnlyInputFilter):
    title = _("delegation code")
    parameter_name = "delegation"
    lookup = "delegation__code"


class RecommendationCodeFilter(InputFilter):
    title = _("recommendation code")
    parameter_name = "recommendation"
    lookup = "recommendation__code"
    upper = False


class UpdateDelegationCodeFilter(StaffOnlyInputFilter):
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
        real = Session.objects.filter(real_meetings("meeting__")).select_related("meeting")
        sessions = list(real[: self.LIMIT])
        several_meetings = len({s.meeting_id for s in sessions}) > 1
        return [
            (str(s.pk), f"{s.meeting.slug} {s}" if several_meetings else str(s)) for s in sessions
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        pk = as_pk(value)
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
        return State.choices

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
