"""The query parameters shared by the public lists and every CSV export.

Parameters (a contract: links and exports carry the same ones):
``q``, ``theme`` (repeatable: any of), ``meeting`` (slug), ``session`` (code),
``speaker`` (person slug), ``kind``, ``delegation`` (code), ``status``, ``overdue``,
``as_of`` and ``changed_since`` (YYYY-MM-DD), ``verified`` (yes/no), ``sort``.

Item-level parameters select recommendations; follow-up-level parameters
(``delegation``, ``status``, ``overdue``, ``changed_since``, ``verified``) select
follow-ups, and an item matches when one of its follow-ups meets all of them at once.
``as_of`` changes which status counts: the one in force at the end of that day.
"""

from __future__ import annotations

import datetime

import django_filters
from django import forms
from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.utils.translation import gettext_lazy as _

from .models import Delegation, FollowUp, Meeting, ProgressUpdate, Recommendation, Theme
from .status import Status, latest_update, overdue_q, with_shown_status

MAX_QUERY_LENGTH = 200
YES_NO = [("yes", _("Yes")), ("no", _("No"))]

FOLLOW_UP_PARAMS = ("delegation", "status", "overdue", "changed_since", "verified")


class CodeInput(forms.TextInput):
    """A text input for a code (session, delegation, speaker): never renders choices."""


class FilterForm(forms.Form):
    """Normalises codes and refuses control characters with a message, not a 500."""

    def clean(self):
        cleaned = super().clean()
        for name, value in list(cleaned.items()):
            if isinstance(value, str) and any(ord(c) < 32 for c in value):
                self.add_error(name, _("This value contains characters that are not allowed."))
        return cleaned


def _yes(value) -> bool | None:
    return {"yes": True, "no": False}.get(value)


def follow_up_conditions(
    queryset,
    *,
    delegation=None,
    status=None,
    overdue=None,
    changed_since=None,
    verified=None,
    as_of: datetime.date | None = None,
    today: datetime.date | None = None,
):
    """Restrict a FollowUp queryset by the follow-up-level parameters.

    Adds no query of its own; with ``as_of`` (or ``status``/``verified`` needing the
    latest update) it adds correlated subqueries over progress updates.
    """
    if delegation is not None:
        queryset = queryset.filter(delegation=delegation)
    if status or overdue or as_of is not None:
        queryset = with_shown_status(queryset, as_of)
    if status:
        queryset = queryset.filter(shown_status=status)
    wants_overdue = _yes(overdue)
    if wants_overdue is not None:
        is_overdue = overdue_q(as_of or today, status="shown_status")
        queryset = queryset.filter(is_overdue if wants_overdue else ~is_overdue)
    if changed_since is not None:
        moved = ProgressUpdate.objects.filter(follow_up=OuterRef("pk"), date__gt=changed_since)
        if as_of is not None:
            moved = moved.filter(date__lte=as_of)
        queryset = queryset.filter(Exists(moved))
    wants_verified = _yes(verified)
    if wants_verified is not None:
        queryset = queryset.annotate(
            latest_verified_at=latest_update("verified_at", as_of, default=None)
        )
        has_update = Q(last_update_date__isnull=False)
        if as_of is not None:
            has_update = Exists(
                ProgressUpdate.objects.filter(follow_up=OuterRef("pk"), date__lte=as_of)
            )
        if wants_verified:
            queryset = queryset.filter(latest_verified_at__isnull=False)
        else:
            queryset = queryset.filter(has_update, latest_verified_at__isnull=True)
    return queryset


class BaseFilter(django_filters.FilterSet):
    """Fields and item-level filtering shared by the recommendation and follow-up filters.

    ``item_prefix`` is the path from the filtered model to its recommendation.
    """

    item_prefix = ""

    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_nothing",
        max_length=MAX_QUERY_LENGTH,
        help_text=_("Words in the code, text, source or speaker name."),
    )
    theme = django_filters.ModelMultipleChoiceFilter(
        label=_("Theme"),
        queryset=Theme.objects.all(),
        to_field_name="slug",
        method="filter_nothing",
        widget=forms.CheckboxSelectMultiple,
    )
    meeting = django_filters.ModelChoiceFilter(
        label=_("Meeting"),
        queryset=Meeting.objects.all(),
        to_field_name="slug",
        method="filter_nothing",
        empty_label=_("All meetings"),
    )
    session = django_filters.CharFilter(
        label=_("Session"),
        method="filter_nothing",
        max_length=20,
        widget=CodeInput(attrs={"placeholder": "D1S1", "autocomplete": "off"}),
    )
    speaker = django_filters.CharFilter(
        label=_("Speaker"),
        method="filter_nothing",
        max_length=80,
        widget=CodeInput(attrs={"autocomplete": "off"}),
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind"),
        choices=Recommendation.Kind.choices,
        method="filter_nothing",
        empty_label=_("Any kind"),
    )
    delegation = django_filters.ModelChoiceFilter(
        label=_("Delegation"),
        queryset=Delegation.objects.all(),
        to_field_name="code",
        method="filter_nothing",
        widget=CodeInput(attrs={"placeholder": "PAK", "autocomplete": "off"}),
    )
    status = django_filters.ChoiceFilter(
        label=_("Follow-up status"),
        choices=Status.choices,
        method="filter_nothing",
        empty_label=_("Any status"),
    )
    overdue = django_filters.ChoiceFilter(
        label=_("Overdue"),
        choices=YES_NO,
        method="filter_nothing",
        empty_label=_("Either"),
    )
    as_of = django_filters.DateFilter(
        label=_("Status as of"),
        method="filter_nothing",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    changed_since = django_filters.DateFilter(
        label=_("Changed since"),
        method="filter_nothing",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    verified = django_filters.ChoiceFilter(
        label=_("Latest update verified"),
        choices=YES_NO,
        method="filter_nothing",
        empty_label=_("Either"),
    )

    class Meta:
        form = FilterForm
        fields: list[str] = []

    def filter_nothing(self, queryset, name, value):
        # Every parameter is applied together in filter_queryset, because the
        # follow-up-level ones must hold for one and the same follow-up.
        return queryset

    def clean_value(self, name):
        return self.form.cleaned_data.get(name) if self.is_bound else None

    @property
    def as_of_date(self) -> datetime.date | None:
        return self.clean_value("as_of")

    def follow_up_params(self) -> dict:
        data = self.form.cleaned_data
        return {name: data.get(name) or None for name in FOLLOW_UP_PARAMS}

    def has_follow_up_params(self) -> bool:
        return any(value is not None for value in self.follow_up_params().values())

    def filter_items(self, queryset):
        data = self.form.cleaned_data
        p = self.item_prefix
        if data.get("meeting"):
            queryset = queryset.filter(**{f"{p}meeting": data["meeting"]})
        if data.get("session"):
            queryset = queryset.filter(**{f"{p}session__code": data["session"].strip().upper()})
        if data.get("speaker"):
            queryset = queryset.filter(**{f"{p}speaker__slug": data["speaker"].strip().lower()})
        if data.get("kind"):
            queryset = queryset.filter(**{f"{p}kind": data["kind"]})
        if data.get("theme"):
            tagged = Recommendation.themes.through.objects.filter(
                recommendation=OuterRef(f"{p}pk" if p else "pk"), theme__in=data["theme"]
            )
            queryset = queryset.filter(Exists(tagged))
        if data.get("q") and data["q"].strip():
            text = data["q"].strip()
            if p:
                matches = Recommendation.objects.search(text)
                queryset = queryset.filter(recommendation__in=matches.values("pk"))
            else:
                # Searched in place, so the full-text index drives the scan of the items.
                queryset = queryset.search(text)
        return queryset


class RecommendationFilter(BaseFilter):
    """The filter behind ``/recommendations/`` and ``/recommendations/export.csv``."""

    SORTS = [
        ("session", _("Session order")),
        ("latest", _("Latest update")),
        ("code", _("Code")),
        ("relevance", _("Relevance to the search")),
    ]
    sort = django_filters.ChoiceFilter(
        label=_("Sort by"), choices=SORTS, method="filter_nothing", empty_label=None
    )

    class Meta(BaseFilter.Meta):
        model = Recommendation

    def filter_queryset(self, queryset):
        queryset = self.filter_items(queryset)
        if self.has_follow_up_params():
            matching = follow_up_conditions(
                FollowUp.objects.filter(recommendation=OuterRef("pk")),
                as_of=self.as_of_date,
                **self.follow_up_params(),
            )
            queryset = queryset.filter(Exists(matching))
        return self.sort_queryset(queryset)

    def sort_queryset(self, queryset):
        sort = self.form.cleaned_data.get("sort") or "session"
        text = (self.form.cleaned_data.get("q") or "").strip()
        if sort == "relevance" and text and "rank" in queryset.query.annotations:
            # The full-text rank that search() annotates (PostgreSQL only).
            return queryset.order_by(F("rank").desc(nulls_last=True), "code")
        if sort == "code":
            return queryset.order_by("code")
        if sort == "latest":
            latest = FollowUp.objects.filter(recommendation=OuterRef("pk"))
            delegation = self.form.cleaned_data.get("delegation")
            if delegation is not None:
                latest = latest.filter(delegation=delegation)
            latest = latest.order_by(F("last_update_date").desc(nulls_last=True))
            return queryset.annotate(
                latest_update=Subquery(latest.values("last_update_date")[:1])
            ).order_by(F("latest_update").desc(nulls_last=True), "code")
        # One indexed column holds the reading order (meeting, day, session, item, code).
        return queryset.order_by("sort_key")


class FollowUpFilter(BaseFilter):
    """The filter behind ``/follow-ups/``, ``/delegations/<code>/`` and the follow-up,
    matrix and progress-update exports: the same parameters, applied to follow-ups."""

    item_prefix = "recommendation__"

    class Meta(BaseFilter.Meta):
        model = FollowUp

    def filter_queryset(self, queryset):
        queryset = self.filter_items(queryset)
        queryset = follow_up_conditions(queryset, as_of=self.as_of_date, **self.follow_up_params())
        return queryset.order_by("recommendation__sort_key", "delegation__code")


def describe_active_filters(filterset) -> list[tuple[str, str, str, str]]:
    """``(param, label, value shown, raw value)`` for each active parameter, so a page
    can list them with a link that removes each one. No query (uses cleaned data)."""
    if not filterset.is_bound or not filterset.is_valid():
        return []
    active = []
    for name, field in filterset.form.fields.items():
        value = filterset.form.cleaned_data.get(name)
        if value in (None, "", []) or (hasattr(value, "exists") and not value):
            continue
        if name == "sort":
            continue
        if name == "theme":
            for theme in value:
                active.append((name, str(field.label), str(theme), theme.slug))
            continue
        if isinstance(field, forms.ModelChoiceField):
            shown = value  # the object itself; its choices would cost a query
        else:
            shown = dict(getattr(field, "choices", [])).get(value, value)
        raw = filterset.data.get(name)
        active.append((name, str(field.label), str(shown), raw))
    return active
