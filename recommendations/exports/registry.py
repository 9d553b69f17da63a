"""The kinds of export, each registered once, and binding one to query parameters.

An ``ExportKind`` says which list's filters take the parameters, the columns its files
start with, and how to build its query from what the filters selected. The web
views, the ``export_csv`` command and any later format look kinds up here by name.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.http import QueryDict, StreamingHttpResponse
from django.utils import timezone
from django.utils.text import slugify

from .. import access
from ..access import Audience
from ..filters import FollowUpFilter, RecommendationFilter
from ..models import FollowUp, Recommendation
from . import queries
from .csv import Progress, attachment, stream
from .queries import ExportQuery


class InvalidParameters(ValueError):
    """The query parameters do not make a valid filter; the message says why."""


@dataclass(frozen=True)
class Selection:
    """What the list filters select for valid parameters, and for whom."""

    items: RecommendationFilter
    follow_ups: FollowUpFilter
    audience: Audience
    as_of: datetime.date | None
    changed_since: datetime.date | None
    today: datetime.date


@dataclass(frozen=True)
class ExportKind:
    """One kind of export.

    ``name`` is its word in the command and the start of its file names; ``columns``
    the columns every file of it starts with (a contract); ``filters`` the list filters
    that must accept the parameters (``"items"``, ``"follow_ups"``), the first of which
    names the file; ``build_query`` makes its query from a ``Selection``."""

    name: str
    title: str
    columns: tuple[str, ...]
    filters: tuple[str, ...]
    build_query: Callable[[Selection], ExportQuery]


REGISTRY: dict[str, ExportKind] = {}


def register(name: str, *, title: str, columns: Iterable[str], filters: tuple[str, ...]):
    """Register the decorated query builder as the export ``name``."""

    def decorator(build_query: Callable[[Selection], ExportQuery]):
        if name in REGISTRY:
            raise ValueError(f"The export {name!r} is already registered.")
        REGISTRY[name] = ExportKind(
            name=name,
            title=title,
            columns=tuple(columns),
            filters=filters,
            build_query=build_query,
        )
        return build_query

    return decorator


# --- The kinds -----------------------------------------------------------------------


@register(
    "recommendations",
    title="one row per item, with its follow-ups counted by status",
    columns=queries.RECOMMENDATION_HEADER,
    filters=("items",),
)
def _recommendations(selection: Selection) -> ExportQuery:
    return queries.recommendations_query(selection.items.qs, as_of=selection.as_of)


@register(
    "follow-ups",
    title="the per-delegation status report, one row per follow-up",
    columns=queries.FOLLOW_UP_HEADER,
    filters=("follow_ups",),
)
def _follow_ups(selection: Selection) -> ExportQuery:
    return queries.follow_ups_query(
        selection.follow_ups.qs,
        audience=selection.audience,
        as_of=selection.as_of,
        changed_since=selection.changed_since,
        today=selection.today,
    )


@register(
    "matrix",
    title="one row per item, one column per delegation",
    columns=["code"],
    # The rows are the list's items, in its order (``sort`` is an item parameter).
    filters=("follow_ups", "items"),
)
def _matrix(selection: Selection) -> ExportQuery:
    # One query for the header: the delegations of the follow-ups listed.
    names = dict(
        selection.follow_ups.qs.order_by("delegation__code")
        .values_list("delegation__code", "delegation__name")
        .distinct()
    )
    return queries.matrix_query(
        selection.items.qs,
        delegation_codes=list(names),
        follow_up_params=selection.follow_ups.follow_up_params(),
        as_of=selection.as_of,
        delegation_names=names,
    )


@register(
    "progress-updates",
    title="the history, one row per progress update",
    columns=queries.PROGRESS_UPDATE_HEADER,
    filters=("follow_ups",),
)
def _progress_updates(selection: Selection) -> ExportQuery:
    return queries.progress_updates_query(
        selection.follow_ups.qs,
        audience=selection.audience,
        as_of=selection.as_of,
        changed_since=selection.changed_since,
    )


KINDS = tuple(REGISTRY)


# --- From query parameters to a file -------------------------------------------------


@dataclass
class Export:
    """A bound export: its kind, its filename and how to build its query."""

    kind: str
    filename: str
    build: Callable[[], ExportQuery]

    def stream(self, *, engine: str | None = None, progress: Progress | None = None):
        return stream(self.build, engine=engine, progress=progress)

    def response(self, *, engine: str | None = None) -> StreamingHttpResponse:
        return attachment(self.stream(engine=engine), self.filename)


def export_filename(kind: str, parts: Iterable[str] = (), day: datetime.date | None = None) -> str:
    """``<kind>-<parts>-<YYYY-MM-DD>.csv``, e.g. ``recommendations-ieds-2026-11-27.csv``.
    ASCII only, at most about 150 characters."""
    day = day or timezone.localdate()
    words = [slugify(p) for p in parts if p]
    middle = "-".join(w for w in words if w)[:120].strip("-")
    return "-".join(w for w in [slugify(kind), middle, day.isoformat()] if w) + ".csv"


def _errors_text(filterset) -> str:
    parts = []
    for name, errors in filterset.errors.items():
        parts.append(f"{name}: {' '.join(str(e) for e in errors)}")
    return "Invalid parameters. " + "; ".join(parts)


def _filename_parts(data: dict) -> list[str]:
    parts = [theme.slug for theme in data.get("theme") or []]
    if data.get("meeting"):
        parts.append(data["meeting"].slug)
    for name in ("session", "speaker", "kind"):
        if data.get(name):
            parts.append(data[name])
    if data.get("delegation"):
        parts.append(data["delegation"].code)
    if data.get("status"):
        parts.append(data["status"])
    if data.get("overdue"):
        parts.append("overdue" if data["overdue"] == "yes" else "not-overdue")
    if data.get("verified"):
        parts.append("verified" if data["verified"] == "yes" else "unverified")
    if data.get("q") and data["q"].strip():
        parts.append("q-" + data["q"].strip()[:30])
    if data.get("as_of"):
        parts.append(f"as-of-{data['as_of'].isoformat()}")
    if data.get("changed_since"):
        parts.append(f"changed-since-{data['changed_since'].isoformat()}")
    return parts


def export_from_params(
    kind: str, params: QueryDict | dict, *, audience: Audience, today=None
) -> Export:
    """Bind the list's filters to ``params`` and return the export of ``kind``.

    Raises ``InvalidParameters`` with a short explanation when they are invalid.
    Queries: the filters' own look-ups (theme, meeting, delegation); the export's
    queries run when it is streamed.
    """
    export_kind = REGISTRY.get(kind)
    if export_kind is None:
        raise InvalidParameters(f"Unknown export {kind!r}.")
    today = today or timezone.localdate()
    filtersets = {
        "items": RecommendationFilter(params, queryset=Recommendation.objects.all()),
        "follow_ups": FollowUpFilter(params, queryset=FollowUp.objects.all()),
    }
    for name in export_kind.filters:
        if not filtersets[name].is_valid():
            raise InvalidParameters(_errors_text(filtersets[name]))
    data = filtersets[export_kind.filters[0]].form.cleaned_data
    selection = Selection(
        items=filtersets["items"],
        follow_ups=filtersets["follow_ups"],
        audience=audience,
        as_of=data.get("as_of"),
        changed_since=data.get("changed_since"),
        today=today,
    )
    return Export(
        kind=kind,
        filename=export_filename(kind, _filename_parts(data), today),
        build=functools.partial(export_kind.build_query, selection),
    )


def follow_ups_response(queryset, *, user, name_parts=(), as_of=None) -> StreamingHttpResponse:
    """The per-delegation status report for ``queryset`` (the admin's export action)
    as a streamed CSV download, with what ``user`` may read."""
    audience = access.audience(user)
    return attachment(
        stream(lambda: queries.follow_ups_query(queryset, audience=audience, as_of=as_of)),
        export_filename("follow-ups", name_parts),
    )
