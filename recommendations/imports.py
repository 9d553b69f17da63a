"""Reading a CSV file of progress updates and planning its import, row by row, before
anything is written (the preview). ``services.progress_updates_import`` applies a plan.

Columns, by header name, in any order (others are ignored): ``code``, ``delegation``,
``status``, ``date``, ``note``, ``evidence_url`` and optionally ``visibility``. A file
exported from ``/follow-ups/export.csv`` and edited in a spreadsheet imports as it is:
``last_update_date`` stands for ``date`` and ``last_update_note`` for ``note`` when those
are missing, the leading ' that the export puts before a formula is taken off, a
byte-order mark and ``;`` as separator (European Excel) are accepted, and dates may be
YYYY-MM-DD or DD/MM/YYYY.

What each row does:

- ``new``: records a progress update (the follow-up's status follows it when it is the
  latest). With no date, the update is dated today.
- ``new_follow_up``: the delegation does not follow the item yet; the follow-up is
  created, then the update recorded.
- ``duplicate``: the same update (follow-up, date, status, and the note and evidence
  when the file has those columns) is already recorded, or is earlier in the file.
  Skipped: importing a file twice adds nothing.
- ``unchanged``: no date, and the status, note and evidence say nothing new (typically
  a row of an exported file that was not edited). Skipped.
- ``error``: one or more errors, each shown with the line number. A file with any
  error is refused whole.

Visibility: a row's ``visibility`` value decides. A row without one that repeats the
note or evidence of an update already recorded for the follow-up (or earlier in the
file) keeps that update's visibility, restricted if any of them is restricted; only a
new note takes the visibility chosen on the upload form. So an exported file edited
and imported back never publishes a restricted note.

A focal point may import only rows for their own delegation: a row for another one is
an error, so the whole file is refused. Staff may import for any delegation.
"""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils import timezone
from django.utils.translation import gettext as _

from . import access
from .exports import FORMULA_STARTS
from .models import Delegation, FollowUp, ProgressUpdate, Recommendation
from .status import LATEST_FIRST, Status

MAX_BYTES = 5 * 1024 * 1024
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")
EVIDENCE_MAX_LENGTH = ProgressUpdate._meta.get_field("evidence_url").max_length

NEW, NEW_FOLLOW_UP, DUPLICATE, UNCHANGED, ERROR = (
    "new",
    "new_follow_up",
    "duplicate",
    "unchanged",
    "error",
)
WRITES = (NEW, NEW_FOLLOW_UP)

# Header name in the file → field. The second name of a pair is used only when the
# first column is missing or its cell is empty (the follow-up export's names).
COLUMNS = {
    "code": "code",
    "delegation": "delegation",
    "status": "status",
    "date": "date",
    "last_update_date": "fallback_date",
    "note": "note",
    "last_update_note": "fallback_note",
    "evidence_url": "evidence_url",
    "visibility": "visibility",
}
REQUIRED = ("code", "delegation", "status")


class ImportFileError(Exception):
    """The file as a whole cannot be read (encoding, separator, missing columns)."""


def decode(data: bytes) -> str:
    """The text of an uploaded file: UTF-8, with or without a byte-order mark, and
    without a NUL byte (no text holds one, and PostgreSQL refuses to store it)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError(
            _(
                "The file is not UTF-8 text. In Excel, save it as “CSV UTF-8 (comma "
                "delimited)”; in LibreOffice, choose the UTF-8 character set."
            )
        ) from None
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise ImportFileError(
            _("The file holds a NUL character on line %(line)s; it is not CSV text.")
            % {"line": line}
        )
    return text


def unneutralise(value: str) -> str:
    """Undo the export's formula neutralisation: a ' before a formula character."""
    if value.startswith("'") and value[1:2] and value[1] in FORMULA_STARTS:
        return value[1:]
    return value


def parse_date(value: str) -> datetime.date:
    for pattern in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    raise ValueError(value)


def parse_status(value: str) -> str | None:
    """A status value (``in_progress``) or its label (“In progress”), any case."""
    key = value.strip().lower().replace(" ", "_").replace("-", "_")
    return key if key in Status.values else None


@dataclass
class PlanRow:
    """One line of the file and what importing it will do."""

    line: int
    code: str = ""
    delegation: str = ""
    status: str = ""
    date: datetime.date | None = None
    date_given: bool = False
    note: str | None = None  # None: the file has no note column
    evidence_url: str | None = None  # None: the file has no evidence column
    visibility: str = ProgressUpdate.Visibility.PUBLIC
    recommendation_id: int | None = None
    delegation_id: int | None = None
    follow_up_id: int | None = None
    status_before: str = ""
    status_after: str = ""
    action: str = ERROR
    errors: list[str] = field(default_factory=list)

    @property
    def writes(self) -> bool:
        return self.action in WRITES

    @property
    def changes_status(self) -> bool:
        return self.writes and self.status_before != self.status_after


@dataclass
class ImportPlan:
    """Every row of a file with its action, plus the file-level errors."""

    rows: list[PlanRow] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)

    @property
    def error_rows(self) -> list[PlanRow]:
        return [row for row in self.rows if row.errors]

    @property
    def is_valid(self) -> bool:
        return not self.file_errors and not self.error_rows and bool(self.rows)

    def count(self, *actions: str) -> int:
        return sum(1 for row in self.rows if row.action in actions)

    @property
    def summary(self) -> dict[str, int]:
        return {
            "rows": len(self.rows),
            "new": self.count(NEW, NEW_FOLLOW_UP),
            "new_follow_ups": self.count(NEW_FOLLOW_UP),
            "duplicate": self.count(DUPLICATE),
            "unchanged": self.count(UNCHANGED),
            "errors": len(self.error_rows),
        }


def read_records(text: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and the records of ``text`` with the line each starts on. The
    separator is ``;`` when the header line has more of those than commas."""
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records, start = [], 1
    try:
        for record in reader:
            records.append((start, record))
            start = reader.line_num + 1
    except csv.Error as error:
        raise ImportFileError(
            _("Line %(line)s cannot be read as CSV: %(error)s")
            % {"line": reader.line_num, "error": error}
        ) from None
    if not records:
        raise ImportFileError(_("The file is empty."))
    return records[0][1], records[1:]


def _header_map(header: list[str]) -> dict[str, int]:
    positions = {}
    for index, name in enumerate(header):
        key = name.strip().lstrip("\ufeff").strip().lower().replace(" ", "_")
        if key in COLUMNS and COLUMNS[key] not in positions:
            positions[COLUMNS[key]] = index
    missing = [name for name in REQUIRED if name not in positions]
    if "date" not in positions and "fallback_date" not in positions:
        missing.append("date")
    if missing:
        raise ImportFileError(
            _("The file has no %(columns)s column. The first line must name the columns: %(all)s.")
            % {
                "columns": ", ".join(missing),
                "all": "code, delegation, status, date, note, evidence_url",
            }
        )
    return positions


def _cells(record: list[str], positions: dict[str, int]) -> dict[str, str | None]:
    """The record's cells by field (None when the file has no such column)."""
    values = {}
    for name in COLUMNS.values():
        index = positions.get(name)
        if index is None:
            values[name] = None
        else:
            values[name] = unneutralise(record[index]) if index < len(record) else ""
    for name, fallback in (("date", "fallback_date"), ("note", "fallback_note")):
        if not (values[name] or "").strip() and values[fallback] is not None:
            values[name] = values[fallback]
    return values


@dataclass
class _Known:
    """The database's side of the rows: what the codes and pairs refer to."""

    items: dict[str, int]
    delegations: dict[str, int]
    follow_ups: dict[tuple[int, int], tuple[int, str]]
    updates: dict[int, list[tuple]]  # follow-up id → (date, status, note, evidence, vis)


def _load(rows: list[PlanRow]) -> _Known:
    """Four queries, whatever the number of rows."""
    codes = {row.code for row in rows if row.code}
    items = dict(
        Recommendation.objects.filter(code__in=codes | {c.upper() for c in codes}).values_list(
            "code", "pk"
        )
    )
    delegation_codes = {row.delegation.upper() for row in rows if row.delegation}
    delegations = dict(
        Delegation.objects.filter(code__in=delegation_codes).values_list("code", "pk")
    )
    follow_ups = {
        (rec, dele): (pk, status)
        for pk, rec, dele, status in FollowUp.objects.filter(
            recommendation_id__in=items.values(), delegation_id__in=delegations.values()
        ).values_list("pk", "recommendation_id", "delegation_id", "status")
    }
    updates: dict[int, list[tuple]] = {}
    for follow_up_id, *values in (
        ProgressUpdate.objects.filter(follow_up_id__in=[pk for pk, _status in follow_ups.values()])
        .order_by("follow_up_id", *LATEST_FIRST)
        .values_list("follow_up_id", "date", "status", "note", "evidence_url", "visibility")
    ):
        updates.setdefault(follow_up_id, []).append(tuple(values))
    return _Known(items, delegations, follow_ups, updates)


def _same(update: tuple, row: PlanRow) -> bool:
    date, status, note, evidence, _visibility = update
    return (
        date == row.date
        and status == row.status
        and (row.note is None or note == row.note)
        and (row.evidence_url is None or evidence == row.evidence_url)
    )


def kept_visibility(row: PlanRow, history: list[tuple]) -> str | None:
    """The visibility a row without one keeps: that of the recorded updates whose note
    or evidence it repeats (restricted if any of them is), or None when it repeats
    none. So an exported file imported back never publishes a restricted note or
    link, however many updates were recorded since the export."""
    matches = [
        visibility
        for _date, _status, note, evidence, visibility in history
        if (row.note and note == row.note) or (row.evidence_url and evidence == row.evidence_url)
    ]
    if not matches:
        return None
    restricted = ProgressUpdate.Visibility.RESTRICTED
    return restricted if restricted in matches else ProgressUpdate.Visibility.PUBLIC


def build_plan(
    text: str,
    *,
    user,
    default_visibility: str = ProgressUpdate.Visibility.PUBLIC,
    today: datetime.date | None = None,
) -> ImportPlan:
    """Check every row of ``text`` and decide what importing it would do. Writes
    nothing. Queries: the user's role (two at most) and four look-ups, whatever the
    number of rows. Raises ``ImportFileError`` if the file cannot be read at all."""
    today = today or timezone.localdate()
    header, records = read_records(text)
    positions = _header_map(header)
    everything = access.is_secretariat(user)
    own = None if everything else access.delegation_of(user)
    url_validator = URLValidator(schemes=["http", "https"])

    plan = ImportPlan()
    for line, record in records:
        if not any(cell.strip() for cell in record):
            continue  # blank lines, common at the end of spreadsheet exports
        cells = _cells(record, positions)
        row = PlanRow(
            line=line,
            code=(cells["code"] or "").strip(),
            delegation=(cells["delegation"] or "").strip().upper(),
            note=cells["note"],
            evidence_url=None if cells["evidence_url"] is None else cells["evidence_url"].strip(),
        )
        if not row.code:
            row.errors.append(_("The code is missing."))
        if not row.delegation:
            row.errors.append(_("The delegation is missing."))
        raw_status = (cells["status"] or "").strip()
        row.status = parse_status(raw_status) or ""
        if not raw_status:
            row.errors.append(_("The status is missing."))
        elif not row.status:
            row.errors.append(
                _("“%(value)s” is not a status. Use one of: %(choices)s.")
                % {"value": raw_status[:40], "choices": ", ".join(Status.values)}
            )
        raw_date = (cells["date"] or "").strip()
        if raw_date:
            try:
                row.date = parse_date(raw_date)
                row.date_given = True
            except ValueError:
                row.errors.append(
                    _("“%(value)s” is not a date. Write it as YYYY-MM-DD or DD/MM/YYYY.")
                    % {"value": raw_date[:40]}
                )
            else:
                if row.date > today:
                    row.errors.append(
                        _("The date %(date)s is in the future.") % {"date": row.date.isoformat()}
                    )
        if row.evidence_url:
            try:
                url_validator(row.evidence_url)
                if len(row.evidence_url) > EVIDENCE_MAX_LENGTH:
                    raise ValidationError("too long")
            except ValidationError:
                row.errors.append(
                    _(
                        "The evidence URL is not a valid http(s) address "
                        "of at most %(n)s characters."
                    )
                    % {"n": EVIDENCE_MAX_LENGTH}
                )
        raw_visibility = (cells["visibility"] or "").strip().lower()
        if raw_visibility and raw_visibility not in ProgressUpdate.Visibility.values:
            row.errors.append(
                _("“%(value)s” is not a visibility. Use public or restricted.")
                % {"value": raw_visibility[:40]}
            )
        row.visibility = raw_visibility or ""
        plan.rows.append(row)

    known = _load(plan.rows)
    planned: dict[tuple[int, int], list[tuple]] = {}  # rows of this file, by pair
    # The simulated latest (date, status) of each follow-up, as the rows apply.
    latest: dict[tuple[int, int], tuple[datetime.date | None, str]] = {}
    for row in plan.rows:
        row.recommendation_id = known.items.get(row.code) or known.items.get(row.code.upper())
        if row.code and row.recommendation_id is None:
            row.errors.append(_("Unknown recommendation code “%(code)s”.") % {"code": row.code})
        row.delegation_id = known.delegations.get(row.delegation)
        if row.delegation and row.delegation_id is None:
            row.errors.append(_("Unknown delegation “%(code)s”.") % {"code": row.delegation})
        elif row.delegation_id is not None and not everything:
            if own is None:
                row.errors.append(_("Your account may import only its own delegation's updates."))
            elif own.pk != row.delegation_id:
                row.errors.append(
                    _(
                        "This row is for %(theirs)s; you may import only %(own)s's updates, "
                        "so the file is refused."
                    )
                    % {"theirs": row.delegation, "own": own.code}
                )
        if row.errors:
            row.action = ERROR
            continue
        _plan_row(row, known, planned, latest, today, default_visibility)
    if not plan.rows:
        plan.file_errors.append(_("The file has no rows to import."))
    return plan


def _plan_row(row, known, planned, latest, today, default_visibility) -> None:
    pair = (row.recommendation_id, row.delegation_id)
    existing = known.follow_ups.get(pair)
    row.follow_up_id = existing[0] if existing else None
    history = known.updates.get(row.follow_up_id, []) if existing else []
    newest = history[0] if history else None
    if pair not in latest:
        latest[pair] = (newest[0] if newest else None, existing[1] if existing else "not_started")
    latest_date, current = latest[pair]
    row.status_before = row.status_after = current

    if not row.visibility:
        earlier = [*history, *planned.get(pair, [])]
        row.visibility = kept_visibility(row, earlier) or default_visibility

    if not row.date_given:
        says_nothing_new = (
            row.status == current
            and (not row.note or (newest is not None and row.note == newest[2]))
            and (not row.evidence_url or (newest is not None and row.evidence_url == newest[3]))
        )
        if says_nothing_new:
            row.action = UNCHANGED
            return
        row.date = today

    if any(_same(update, row) for update in history) or any(
        _same(update, row) for update in planned.get(pair, [])
    ):
        row.action = DUPLICATE
        return
    first_for_new_pair = existing is None and pair not in planned
    row.action = NEW_FOLLOW_UP if first_for_new_pair else NEW
    planned.setdefault(pair, []).append(
        (row.date, row.status, row.note or "", row.evidence_url or "", row.visibility)
    )
    if latest_date is None or row.date >= latest_date:
        latest[pair] = (row.date, row.status)
        row.status_after = row.status
