"""The query parameters shared by the public lists and every CSV export.

Parameters (a contract: links and exports carry the same ones):
``q``, ``theme`` (repeatable: any of), ``meeting`` (slug), ``session`` (code),
``speaker`` (person slug), ``kind``, ``delegation`` (code), ``status`` (repeatable:
any of), ``overdue``, ``as_of`` and ``changed_since`` (YYYY-MM-DD), ``verified``
(yes/no), ``sort``. Codes and slugs are matched in any case; the form shows each
choice by its name (a delegation, a speaker, a session's title), never by its code.

Item-level parameters select recommendations; follow-up-level parameters
(``delegation``, ``status``, ``overdue``, ``changed_since``, ``verified``) select
follow-ups, and an item matches when one of its follow-ups meets all of them at once.
``as_of`` changes which status counts: the one in force at the end of that day.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

import django_filters
from django import forms
from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .filter_fields import ListedChoiceField
from .models import (
    Delegation,
    FollowUp,
    Meeting,
    Person,
    ProgressUpdate,
    Recommendation,
    Session,
    Theme,
)
from .status import State, latest_update, overdue_q, with_shown_status

MAX_QUERY_LENGTH = 200
YES_NO = [("yes", _("Yes")), ("no", _("No"))]

FOLLOW_UP_PARAMS = ("delegation", "status", "overdue", "changed_since", "verified")
# Parameters that may be given more than once (any of the values).
MULTIPLE_PARAMS = ("theme", "status")


class FilterForm(forms.Form):
    """Normalises codes and refuses control characters with a message, not a 500."""

    def clean(self):
        cleaned = super().clean()
        for name, value in list(cleaned.items()):
            if isinstance(value, str) and any(ord(c) < 32 for c in value):
                self.add_error(name, _("This value contains characters that are not allowed."))
        return cleaned


class ListedChoiceFilter(django_filters.Filter):
    field_class = ListedChoiceField


def session_label(session: Session) -> str:
    return gettext("Day %(day)s, Session %(order)s: %(title)s") % {
        "day": session.day,
        "order": session.order,
        "title": session.title,
    }


def _yes(value) -> bool | None:
    return {"yes": True, "no": False}.get(value)


def follow_up_conditions(
    queryset,
    *,
    delegation=None,
    status: str | Iterable[str] | None = None,
    overdue=None,
    changed_since=None,
    verified=None,
    as_of: datetime.date | None = None,
    today: datetime.date | None = None,
):
    """Restrict a FollowUp queryset by the follow-up-level parameters. ``status`` is one
    status or several (any of them): the status shown, today's or the one in force at
    ``as_of``.

    Adds no query of its own; with ``as_of`` (or ``status``/``verified`` needing the
    latest update) it adds correlated subqueries over progress updates.
    """
    if delegation is not None:
        queryset = queryset.filter(delegation=delegation)
    if status or overdue or as_of is not None:
        queryset = with_shown_status(queryset, as_of)
    if isinstance(status, str):
        status = [status]
    if status:
        queryset = queryset.filter(shown_status__in=list(status))
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


class FollowUpConditionFilter(django_filters.Filter):
    """A follow-up-level parameter. On follow-ups it filters them
    (``follow_up_conditions``); on recommendations the parameters hold together for one
    and the same follow-up, so ``RecommendationFilter`` applies them as one group."""

    def filter(self, qs, value):
        if value in django_filters.constants.EMPTY_VALUES:
            return qs
        return follow_up_conditions(qs, as_of=self.parent.as_of_date, **{self.field_name: value})


class ConditionChoiceFilter(FollowUpConditionFilter, django_filters.ChoiceFilter):
    pass


class ConditionMultipleChoiceFilter(FollowUpConditionFilter, django_filters.MultipleChoiceFilter):
    pass


class ConditionListedChoiceFilter(FollowUpConditionFilter, ListedChoiceFilter):
    pass


class ConditionDateFilter(FollowUpConditionFilter, django_filters.DateFilter):
    pass


class BaseFilter(django_filters.FilterSet):
    """The parameters shared by the recommendation and follow-up filters. Item-level
    filters name fields of the recommendation; ``item_prefix`` is the path to it from
    the filtered model."""

    item_prefix = ""
    ITEM_FIELDS = ("meeting", "session", "speaker", "kind")

    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_search",
        max_length=MAX_QUERY_LENGTH,
        help_text=_("Words in the code, text, source or speaker name."),
    )
    theme = django_filters.ModelMultipleChoiceFilter(
        label=_("Theme"),
        queryset=Theme.objects.all(),
        to_field_name="slug",
        method="filter_theme",
        widget=forms.CheckboxSelectMultiple,
    )
    meeting = django_filters.ModelChoiceFilter(
        label=_("Meeting"),
        field_name="meeting",
        queryset=Meeting.objects.all(),
        to_field_name="slug",
        empty_label=_("All meetings"),
    )
    session = ListedChoiceFilter(
        label=_("Session"),
        field_name="session__code",
        queryset=Session.objects.select_related("meeting").order_by(
            "meeting__start_date", "meeting__slug", "day", "order"
        ),
        key=lambda session: session.code,
        label_of=session_label,
        group_of=lambda session: session.meeting.title,
        empty_label=_("Any session"),
    )
    speaker = ListedChoiceFilter(
        label=_("Speaker"),
        field_name="speaker__slug",
        # The people who made at least one recommendation, by name (without honorific).
        queryset=Person.objects.filter(
            Exists(Recommendation.objects.filter(speaker=OuterRef("pk")))
        ).order_by("name", "slug"),
        key=lambda person: person.slug,
        label_of=lambda person: person.name,
        normalize=str.lower,
        empty_label=_("Any speaker"),
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind"),
        field_name="kind",
        choices=Recommendation.Kind.choices,
        empty_label=_("Any kind"),
    )
    delegation = ConditionListedChoiceFilter(
        label=_("Delegation"),
        field_name="delegation",
        queryset=Delegation.objects.order_by("name", "code"),
        key=lambda delegation: delegation.code,
        label_of=lambda delegation: delegation.name,
        empty_label=_("Any delegation"),
        to_row=True,
    )
    status = ConditionMultipleChoiceFilter(
        label=_("Follow-up status"),
        field_name="status",
        choices=State.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    overdue = ConditionChoiceFilter(
        label=_("Overdue"), field_name="overdue", choices=YES_NO, empty_label=_("Either")
    )
    as_of = django_filters.DateFilter(
        label=_("Status as of"),
        method="filter_as_of",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    changed_since = ConditionDateFilter(
        label=_("Changed since"),
        field_name="changed_since",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    verified = ConditionChoiceFilter(
        label=_("Latest update verified"),
        field_name="verified",
        choices=YES_NO,
        empty_label=_("Either"),
    )

    class Meta:
        form = FilterForm
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.ITEM_FIELDS:
            self.filters[name].field_name = self.item_prefix + self.filters[name].field_name

    def clean_value(self, name):
        return self.form.cleaned_data.get(name) if self.is_bound else None

    @property
    def as_of_date(self) -> datetime.date | None:
        return self.clean_value("as_of")

    def follow_up_params(self, values: dict | None = None) -> dict:
        """The follow-up-level parameters of ``values`` (the cleaned data by default),
        ``None`` for those not given."""
        data = self.form.cleaned_data if values is None else values
        return {name: data.get(name) or None for name in FOLLOW_UP_PARAMS}

    def has_follow_up_params(self) -> bool:
        return any(value is not None for value in self.follow_up_params().values())

    def filter_queryset(self, queryset):
        return self.filter_values(queryset, self.form.cleaned_data)

    def filter_values(self, queryset, values: dict):
        """``queryset`` filtered by ``values`` (cleaned parameters). Adds no query."""
        for name, value in values.items():
            queryset = self.filters[name].filter(queryset, value)
        return queryset

    def queryset_without(self, *names):
        """The filtered queryset as if the parameters ``names`` were not given, for
        facet counts; the form is not cleaned again. Adds no query."""
        values = {**self.form.cleaned_data, **dict.fromkeys(names)}
        return self.filter_values(self.queryset.all(), values)

    def filter_search(self, queryset, name, value):
        text = value.strip()
        if not text:
            return queryset
        if self.item_prefix:
            matches = Recommendation.objects.search(text)
            return queryset.filter(recommendation__in=matches.values("pk"))
        # Searched in place, so the full-text index drives the scan of the items.
        return queryset.search(text)

    def filter_theme(self, queryset, name, value):
        if not value:  # no theme chosen: the field cleans to an empty queryset
            return queryset
        tagged = Recommendation.themes.through.objects.filter(
            recommendation=OuterRef(f"{self.item_prefix}pk"), theme__in=value
        )
        return queryset.filter(Exists(tagged))

    def filter_as_of(self, queryset, name, value):
        # The date changes what the follow-up-level filters and the shown status mean;
        # it selects nothing by itself.
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
        label=_("Sort by"), choices=SORTS, method="sort_queryset", empty_label=None
    )

    class Meta(BaseFilter.Meta):
        model = Recommendation

    def filter_values(self, queryset, values: dict):
        # Item-level filters one by one; the follow-up-level ones as one group, so that
        # one and the same follow-up meets them all; the order last.
        for name, value in values.items():
            if name not in FOLLOW_UP_PARAMS and name != "sort":
                queryset = self.filters[name].filter(queryset, value)
        params = self.follow_up_params(values)
        if any(value is not None for value in params.values()):
            matching = follow_up_conditions(
                FollowUp.objects.filter(recommendation=OuterRef("pk")),
                as_of=values.get("as_of"),
                **params,
            )
            queryset = queryset.filter(Exists(matching))
        return self.sort_queryset(queryset, "sort", values.get("sort"))

    def sort_queryset(self, queryset, name, value):
        sort = value or "session"
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

    def filter_as_of(self, queryset, name, value):
        # The status shown is the one in force at the end of that day.
        return with_shown_status(queryset, value)

    def filter_values(self, queryset, values: dict):
        return (
            super()
            .filter_values(queryset, values)
            .order_by("recommendation__sort_key", "delegation__code")
        )


def describe_active_filters(filterset) -> list[tuple[str, str, str, str]]:
    """``(param, label, value shown, raw value)`` for each active parameter, so a page
    can list them with a link that removes each one; each value is shown by its name
    (a delegation's, a speaker's, a session's title, a status's label), and a repeated
    parameter gives one entry per value. No query (uses cleaned data and the options
    the form read to validate them)."""
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
        if name == "status":
            labels = dict(field.choices)
            for status in value:
                active.append((name, str(field.label), str(labels[status]), status))
            continue
        if isinstance(field, ListedChoiceField):
            shown = field.label_for(value)
        elif isinstance(field, forms.ModelChoiceField):
            shown = value  # the object itself; its choices would cost a query
        else:
            shown = dict(getattr(field, "choices", [])).get(value, value)
        raw = filterset.data.get(name)
        active.append((name, str(field.label), str(shown), raw))
    return active
