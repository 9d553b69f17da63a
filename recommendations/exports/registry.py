"""The kinds of export and the formats they are written in, each registered once,
and binding a kind to query parameters.

An ``ExportKind`` says which list's filters take the parameters, the columns its files
start with, and how to build its query from what the filters selected. An
``ExportFormat`` says how any kind's query becomes a download: CSV (the stable data
format) or XLSX (the spreadsheet people read). The web views and the ``export_csv``
command look both up here by name.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.http import HttpResponseBase, QueryDict, StreamingHttpResponse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from .. import access
from ..access import Audience
from ..filters import FollowUpFilter, RecommendationFilter
from ..models import FollowUp, Recommendation
from ..translation import in_language
from . import queries, xlsx
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

    ``name`` is its word in the command and the start of its file names; ``label``
    what people call it (a spreadsheet's sheet); ``columns`` the columns every file of
    it starts with (a contract); ``filters`` the list filters that must accept the
    parameters (``"items"``, ``"follow_ups"``), the first of which names the file;
    ``build_query`` makes its query from a ``Selection``."""

    name: str
    title: str
    label: str
    columns: tuple[str, ...]
    filters: tuple[str, ...]
    build_query: Callable[[Selection], ExportQuery]


REGISTRY: dict[str, ExportKind] = {}


def register(
    name: str, *, title: str, label: str, columns: Iterable[str], filters: tuple[str, ...]
):
    """Register the decorated query builder as the export ``name``."""

    def decorator(build_query: Callable[[Selection], ExportQuery]):
        if name in REGISTRY:
            raise ValueError(f"The export {name!r} is already registered.")
        REGISTRY[name] = ExportKind(
            name=name,
            title=title,
            label=label,
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
    label=_("Recommendations"),
    columns=queries.RECOMMENDATION_HEADER,
    filters=("items",),
)
def _recommendations(selection: Selection) -> ExportQuery:
    return queries.recommendations_query(selection.items.qs, as_of=selection.as_of)


@register(
    "follow-ups",
    title="the per-delegation status report, one row per follow-up",
    label=_("Follow-ups"),
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
    label=_("Matrix"),
    columns=["code"],
    # The rows are the list's items, in its order (``sort`` is an item parameter).
    filters=("follow_ups", "items"),
)
def _matrix(selection: Selection) -> ExportQuery:
    # One query for the header: the delegations of the follow-ups listed.
    names = dict(
        selection.follow_ups.qs.order_by("delegation__code")
        .values_list("delegation__code", in_language("delegation__name"))
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
    label=_("Progress updates"),
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
    """A bound export: its kind, its filename (without the extension), how to build
    its query, and what people call it."""

    kind: str
    stem: str
    build: Callable[[], ExportQuery]
    label: str = ""

    @property
    def filename(self) -> str:
        """The CSV's filename."""
        return self.filename_for("csv")

    def filename_for(self, extension: str) -> str:
        return f"{self.stem}.{extension}"

    def stream(self, *, engine: str | None = None, progress: Progress | None = None):
        """The CSV's bytes (``csv.stream``)."""
        return stream(self.build, engine=engine, progress=progress)

    def response(self, extension: str = "csv") -> HttpResponseBase:
        """The export as a download in the format of ``extension`` (``FORMATS``)."""
        return FORMATS[extension].respond(self)


@dataclass(frozen=True)
class ExportFormat:
    """A format every kind of export is written in: the extension of its files and how
    a bound ``Export`` becomes a download."""

    extension: str
    respond: Callable[[Export], HttpResponseBase]


def _csv_response(export: Export) -> StreamingHttpResponse:
    return attachment(export.stream(), export.filename_for("csv"))


def _xlsx_response(export: Export) -> HttpResponseBase:
    return xlsx.response(export.build, export.filename_for("xlsx"), title=export.label)


FORMATS: dict[str, ExportFormat] = {
    writer.extension: writer
    for writer in (ExportFormat("csv", _csv_response), ExportFormat("xlsx", _xlsx_response))
}


def _filename_stem(kind: str, parts: Iterable[str], day: datetime.date | None) -> str:
    day = day or timezone.localdate()
    words = [slugify(p) for p in parts if p]
    middle = "-".join(w for w in words if w)[:120].strip("-")
    return "-".join(w for w in [slugify(kind), middle, day.isoformat()] if w)


def export_filename(
    kind: str, parts: Iterable[str] = (), day: datetime.date | None = None, extension="csv"
) -> str:
    """``<kind>-<parts>-<YYYY-MM-DD>.<extension>``, e.g.
    ``recommendations-ieds-2026-11-27.csv``. ASCII only, at most about 150 characters."""
    return f"{_filename_stem(kind, parts, day)}.{extension}"


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
    parts.extend(data.get("status") or [])
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
        stem=_filename_stem(kind, _filename_parts(data), today),
        build=functools.partial(export_kind.build_query, selection),
        label=export_kind.label,
    )


def follow_ups_response(queryset, *, user, name_parts=(), as_of=None) -> StreamingHttpResponse:
    """The per-delegation status report for ``queryset`` (the admin's export action)
    as a streamed CSV download, with what ``user`` may read."""
    audience = access.audience(user)
    return attachment(
        stream(lambda: queries.follow_ups_query(queryset, audience=audience, as_of=as_of)),
        export_filename("follow-ups", name_parts),
    )
