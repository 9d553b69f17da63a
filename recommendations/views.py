"""Public pages. Views stay thin: bind the filter, paginate, render.

Bad input never raises: an invalid parameter gives the page with status 400, the
form errors next to the fields and a short explanation at the top; an unknown
recommendation or delegation gives 404; a bad page number gives the nearest page.
"""

from __future__ import annotations

import datetime
import functools

from django import forms
from django.conf import settings
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_safe

from . import matrix as matrix_reads
from . import selectors
from .filter_fields import label_with_counts
from .filters import (
    MULTIPLE_PARAMS,
    FollowUpFilter,
    RecommendationFilter,
    describe_active_filters,
)
from .models import Delegation, FollowUp, Recommendation
from .pagination import PAGE_SIZES, paginate
from .status import State

# The filter form's fields, in groups (a group is left out where a page has none of them).
FIELD_GROUPS = [
    ("search", gettext_lazy("Search"), ["q", "theme"]),
    ("item", gettext_lazy("Where it was said"), ["meeting", "session", "speaker", "kind"]),
    ("follow-up", gettext_lazy("Follow-up"), ["delegation", "status", "overdue", "verified"]),
    ("time", gettext_lazy("Point in time"), ["as_of", "changed_since"]),
    ("display", gettext_lazy("Display"), ["sort"]),
]
# Parameters that only choose what part of the results to show, not which results.
MAX_CODE_LENGTH = 40


def _valid_code(code: str) -> bool:
    """A code from the URL that can be looked up at all (no control characters)."""
    return 0 < len(code) <= MAX_CODE_LENGTH and all(ord(c) >= 32 for c in code)


def _removal_links(params, active) -> list[dict]:
    """For each active filter, the parameters of the same page without it (rendered by
    ``{% querystring %}``)."""
    links = []
    for name, label, shown, raw in active:
        query = params.copy()
        query.pop("page", None)
        if name in MULTIPLE_PARAMS:
            query.setlist(name, [v for v in query.getlist(name) if v != raw])
        else:
            query.pop(name, None)
        links.append({"name": name, "label": label, "value": shown, "params": query})
    return links


def _filter_context(request, filterset, *, hidden=()) -> dict:
    """What the filter form, the active filters and the error summary need."""
    form = filterset.form
    groups = []
    for key, title, names in FIELD_GROUPS:
        fields = [form[n] for n in names if n in form.fields and n not in hidden]
        if fields:
            is_open = key == "search" or any(
                form.data.get(f.name) or (form.is_bound and f.errors) for f in fields
            )
            groups.append({"key": key, "title": title, "fields": fields, "open": is_open})
    valid = filterset.is_valid()
    active = [a for a in describe_active_filters(filterset) if a[0] not in hidden] if valid else []
    return {
        "filterset": filterset,
        "form": form,
        "field_groups": groups,
        "filters_invalid": not valid,
        "active_filters": _removal_links(request.GET, active),
        "page_sizes": PAGE_SIZES,
        "per_page_value": request.GET.get("per_page", ""),
        "export_params": request.GET,
    }


def _result_message(pagination, *, noun: str) -> str:
    """'Showing 21–40 of 57 items' (or 'of more than 10,000 items' when capped)."""
    page = pagination.page
    start, end = number_format(page.start_index()), number_format(page.end_index())
    count = pagination.paginator.count
    if pagination.count_is_capped:
        total = number_format(count, force_grouping=True)
        if noun == "follow-ups":
            text = _("Showing %(start)s–%(end)s of more than %(total)s follow-ups")
        else:
            text = _("Showing %(start)s–%(end)s of more than %(total)s items")
        return text % {"start": start, "end": end, "total": total}
    total = number_format(count, force_grouping=True)
    if noun == "follow-ups":
        text = ngettext(
            "Showing %(start)s–%(end)s of %(total)s follow-up",
            "Showing %(start)s–%(end)s of %(total)s follow-ups",
            count,
        )
    else:
        text = ngettext(
            "Showing %(start)s–%(end)s of %(total)s item",
            "Showing %(start)s–%(end)s of %(total)s items",
            count,
        )
    return text % {"start": start, "end": end, "total": total}


def _time_context(request, filterset) -> dict:
    """The as-of date and the changed-since date, with links that drop each."""
    as_of = filterset.as_of_date
    changed_since = filterset.clean_value("changed_since")
    return {
        "as_of": as_of,
        "changed_since": changed_since,
    }


def _paged_context(request, pagination, *, noun: str) -> dict:
    return {
        "pagination": pagination,
        "page_obj": pagination.page,
        "page_range": list(
            pagination.paginator.get_elided_page_range(
                pagination.page.number, on_each_side=2, on_ends=1
            )
        ),
        "result_message": _result_message(pagination, noun=noun)
        if pagination.paginator.count
        else "",
    }


def _passed_targets(follow_ups, as_of) -> list:
    """The notice of a passed target meeting, for today's statuses only (a page as of a
    day shows no overdue either). One query, none with ``as_of``."""
    return [] if as_of else selectors.passed_targets(follow_ups)


def _paginate(queryset, params, decorate):
    """Count and page on the filtered queryset as it is; ``decorate`` (joins and
    annotations for display) applies to the rows of the page only, so the count
    never computes them. Queries: one bounded COUNT, one page SELECT."""
    pagination = paginate(queryset, params)
    start = (pagination.page.number - 1) * pagination.per_page
    pagination.page.object_list = list(decorate(queryset)[start : start + pagination.per_page])
    return pagination


def recommendation_list(request):
    """``/recommendations/``: the filtered, paginated list of items."""
    filterset = RecommendationFilter(
        request.GET,
        queryset=Recommendation.objects.select_related("meeting", "session", "speaker")
        .prefetch_related("themes")
        .with_translation(),
    )
    context = _filter_context(request, filterset)
    if not filterset.is_valid():
        return render(request, "recommendations/list.html", context, status=400)
    label_with_counts(filterset.form, selectors.facet_counts(filterset))
    pagination = paginate(filterset.qs, request.GET)
    items = list(pagination.page.object_list)
    selectors.attach_list_details(items, filterset)
    context.update(_paged_context(request, pagination, noun="items"))
    context.update(_time_context(request, filterset))
    context.update(
        {
            "items": items,
            "show_matches": filterset.has_follow_up_params(),
            "changed_scope": "items",
            "export_path": reverse("recommendations:export"),
            "export_xlsx_path": reverse("recommendations:export_xlsx"),
        }
    )
    return render(request, "recommendations/list.html", context)


def matrix(request):
    """``/matrix/``: the items of the list (same parameters, paginated) against every
    roster delegation, one cell per pair with its status in words."""
    filterset = RecommendationFilter(
        request.GET, queryset=Recommendation.objects.select_related("session")
    )
    context = _filter_context(request, filterset)
    if not filterset.is_valid():
        return render(request, "recommendations/matrix.html", context, status=400)
    pagination = paginate(filterset.qs, request.GET)
    columns = matrix_reads.matrix_columns(filterset)
    rows = matrix_reads.matrix_rows(list(pagination.page.object_list), columns, filterset)
    context.update(_paged_context(request, pagination, noun="items"))
    context.update(_time_context(request, filterset))
    context.update(
        {
            "columns": columns,
            "rows": rows,
            "filtered_cells": filterset.has_follow_up_params(),
            "export_path": reverse("recommendations:follow_ups_matrix"),
            "export_xlsx_path": reverse("recommendations:follow_ups_matrix_xlsx"),
        }
    )
    return render(request, "recommendations/matrix.html", context)


def follow_up_list(request):
    """``/follow-ups/``: one row per delegation's follow-up, same parameters."""
    filterset = FollowUpFilter(request.GET, queryset=FollowUp.objects.all())
    context = _filter_context(request, filterset)
    if not filterset.is_valid():
        return render(request, "recommendations/follow_ups.html", context, status=400)
    label_with_counts(filterset.form, selectors.facet_counts(filterset))
    times = _time_context(request, filterset)
    pagination = _paginate(
        filterset.qs,
        request.GET,
        lambda qs: selectors.follow_up_rows(
            qs, as_of=times["as_of"], changed_since=times["changed_since"]
        ),
    )
    context.update(_paged_context(request, pagination, noun="follow-ups"))
    context.update(times)
    context["follow_ups"] = list(pagination.page.object_list)
    context["passed_targets"] = _passed_targets(filterset.qs, times["as_of"])
    # The follow-up export takes the same parameters as /follow-ups/.
    context["export_path"] = reverse("recommendations:follow_ups_export")
    context["export_xlsx_path"] = reverse("recommendations:follow_ups_export_xlsx")
    return render(request, "recommendations/follow_ups.html", context)


def delegation_detail(request, code):
    """``/delegations/<code>/``: one delegation's follow-ups, grouped by status."""
    if not _valid_code(code):
        raise Http404
    delegation = Delegation.objects.filter(code=code.upper()).first()
    if delegation is None:
        raise Http404
    # The delegation of the URL first, then the page's own parameters.
    data = QueryDict(mutable=True)
    data["delegation"] = delegation.code
    for name, values in request.GET.lists():
        if name != "delegation":
            data.setlist(name, values)
    filterset = FollowUpFilter(data, queryset=FollowUp.objects.all())
    context = _filter_context(request, filterset, hidden=("delegation",))
    context["delegation"] = delegation
    context["export_params"] = data
    if not filterset.is_valid():
        return render(request, "recommendations/delegation.html", context, status=400)
    times = _time_context(request, filterset)
    by_status = selectors.grouped_by_status(filterset.qs, as_of=times["as_of"])
    totals = selectors.status_totals(filterset.qs, as_of=times["as_of"])
    pagination = _paginate(
        by_status,
        request.GET,
        lambda qs: selectors.follow_up_rows(
            qs, as_of=times["as_of"], changed_since=times["changed_since"]
        ),
    )
    context.update(_paged_context(request, pagination, noun="follow-ups"))
    context.update(times)
    context.update(
        {
            "follow_ups": list(pagination.page.object_list),
            "totals": totals,
            "passed_targets": _passed_targets(filterset.qs, times["as_of"]),
            "export_path": reverse("recommendations:follow_ups_export"),
            "export_xlsx_path": reverse("recommendations:follow_ups_export_xlsx"),
        }
    )
    return render(request, "recommendations/delegation.html", context)


class AsOfForm(forms.Form):
    as_of = forms.DateField(
        required=False,
        label=gettext_lazy("Status as of"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


def _session_day(item) -> datetime.date:
    """The day the item's session was held: its day of the meeting, counted from the
    first (never after the last). No query."""
    day = item.meeting.start_date + datetime.timedelta(days=item.session.day - 1)
    return min(day, item.meeting.end_date)


def recommendation_detail(request, code):
    """``/recommendations/<code>/``: the item and every delegation's follow-up."""
    if not _valid_code(code):
        raise Http404
    try:
        item = selectors.recommendation_for_page(code)
    except Recommendation.DoesNotExist:
        raise Http404 from None
    form = AsOfForm(request.GET)
    as_of = form.cleaned_data["as_of"] if form.is_valid() else None
    follow_ups = selectors.follow_ups_with_timeline(item, user=request.user, as_of=as_of)
    counts = selectors.StatusCounts()
    for follow_up in follow_ups:
        counts.add(follow_up.shown_status, 1)
    context = {
        "item": item,
        "said_on": _session_day(item),
        "permalink": request.build_absolute_uri(item.get_absolute_url()),
        "themes": list(item.themes.all()),
        "follow_ups": follow_ups,
        "status_counts": counts,
        "passed_targets": [] if as_of else selectors.passed_target_of(item.meeting, follow_ups),
        "as_of": as_of,
        "as_of_form": form,
    }
    return render(
        request, "recommendations/detail.html", context, status=200 if form.is_valid() else 400
    )


def _scope(request):
    """Bind the shared parameters for the pages scoped to one meeting (dashboard, themes)."""
    filterset = RecommendationFilter(request.GET, queryset=Recommendation.objects.none())
    meetings = selectors.meetings_on_the_road()
    meeting = None
    if filterset.is_valid():
        meeting = filterset.clean_value("meeting") or selectors.default_meeting(meetings)
    return filterset, meetings, meeting


def _scope_params(meeting, as_of) -> dict:
    """The parameters that keep a link in the same meeting and at the same date (for
    ``{% querystring %}``)."""
    return {"meeting": meeting.slug, "as_of": as_of.isoformat() if as_of else None}


def _scope_errors(filterset) -> list[tuple[str, str]]:
    return [
        (str(filterset.form.fields[name].label) if name in filterset.form.fields else "", e)
        for name, errors in filterset.form.errors.items()
        for e in errors
    ]


def theme_list(request):
    """``/themes/``: every theme with its number of items and a status breakdown."""
    filterset, meetings, meeting = _scope(request)
    context = {"meetings": meetings, "meeting": meeting, "scope_errors": []}
    if not filterset.is_valid():
        context["scope_errors"] = _scope_errors(filterset)
        return render(request, "recommendations/themes.html", context, status=400)
    as_of = filterset.as_of_date
    themes = selectors.status_by_theme(meeting, as_of=as_of) if meeting else []
    if meeting:
        context["scope"] = _scope_params(meeting, as_of)
    context.update(
        {
            "as_of": as_of,
            "themes": themes,
            "statuses": State.choices,
        }
    )
    return render(request, "recommendations/themes.html", context)


# Beyond this many delegations a bar chart stops being readable; the table lists all.
CHART_DELEGATIONS = 30


def _chart_data(totals, by_theme, by_delegation) -> dict:
    if len(by_delegation) > CHART_DELEGATIONS:
        busiest = sorted(by_delegation, key=lambda row: (-row.counts.total, row.name))
        by_delegation = sorted(busiest[:CHART_DELEGATIONS], key=lambda row: row.name)
    return {
        "statuses": [{"value": v, "label": str(label)} for v, label in State.choices],
        "totals": totals.as_list(),
        "themes": {
            "labels": [row.name for row in by_theme],
            "series": [[row.counts.counts.get(v, 0) for row in by_theme] for v in State.values],
        },
        "delegations": {
            "labels": [row.name for row in by_delegation],
            "series": [
                [row.counts.counts.get(v, 0) for row in by_delegation] for v in State.values
            ],
        },
    }


def dashboard(request):
    """``/``: the road to the target Ministerial for one meeting's items."""
    filterset, meetings, meeting = _scope(request)
    today = timezone.localdate()
    context = {"meetings": meetings, "meeting": meeting, "today": today, "scope_errors": []}
    if not filterset.is_valid():
        context["scope_errors"] = _scope_errors(filterset)
        return render(request, "recommendations/dashboard.html", context, status=400)
    if meeting is None:
        return render(request, "recommendations/dashboard.html", context)
    as_of = filterset.as_of_date
    asked_since = filterset.clean_value("changed_since")
    since = asked_since or selectors.previous_meeting_date(meetings, today)
    follow_ups = FollowUp.objects.filter(recommendation__meeting=meeting)
    totals = selectors.status_totals(follow_ups, as_of=as_of)
    sessions = selectors.sessions_with_item_counts(meeting)
    by_theme = selectors.status_by_theme(meeting, as_of=as_of)
    by_delegation = selectors.status_by_delegation(meeting, as_of=as_of)
    changes = selectors.status_changes(follow_ups, since=since, as_of=as_of) if since else []
    days_to_target = (meeting.target_date - today).days if meeting.target_date else None
    context.update(
        {
            "as_of": as_of,
            "since": since,
            "since_is_default": asked_since is None,
            "days_to_target": days_to_target,
            "days_since_target": -days_to_target if days_to_target is not None else None,
            "totals": totals,
            "sessions": sessions,
            "by_theme": by_theme,
            "by_delegation": by_delegation,
            "changes": changes,
            "n_changed": sum(t.n for t in changes),
            "scope": _scope_params(meeting, as_of),
            "since_param": since.isoformat() if since else None,
            "chart_data": _chart_data(totals, by_theme, by_delegation),
            "chart_delegations": CHART_DELEGATIONS,
            "statuses": State.choices,
        }
    )
    return render(request, "recommendations/dashboard.html", context)


# The Chair's Summary every item comes from, kept word for word in the repository. It
# is read by this fixed name only (nothing from the URL reaches the filesystem), once
# per process.
SOURCE_NAME = "islamabad-2023-chairs-summary.txt"
SOURCE_PATH = settings.BASE_DIR / "fixtures" / "source" / SOURCE_NAME


@functools.cache
def _source_bytes() -> bytes:
    return SOURCE_PATH.read_bytes()


@require_safe
def source(request):
    """``/source/``: the Chair's Summary as plain text, with a link to download it. One
    file read per process, no query."""
    data = _source_bytes()
    context = {
        "source_text": data.decode("utf-8").strip("\n"),
        "source_size": len(data),
        "source_name": SOURCE_NAME,
    }
    return render(request, "recommendations/source.html", context)


@require_safe
def source_download(request):
    """``/source/islamabad-2023-chairs-summary.txt``: the file itself, as a download."""
    response = HttpResponse(_source_bytes(), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{SOURCE_NAME}"'
    return response
