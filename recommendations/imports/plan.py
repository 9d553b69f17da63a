"""Planning an import: what each row of a file would do, checked against the database,
before anything is written."""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import access
from ..models import Delegation, FollowUp, ProgressUpdate, Recommendation
from ..status import LATEST_FIRST, NOT_REPORTED, Status
from .reading import data_records, parse_date, parse_status, record_cells

# Rows planned per pair of look-ups; rows of a preview page; rows with errors listed.
CHUNK_ROWS = 2000
ROWS_KEPT = 100
ERRORS_KEPT = 100
# A file of more lines than this is checked by the task worker, not in the request.
PREVIEW_SYNC_LINES = 20_000
EVIDENCE_MAX_LENGTH = ProgressUpdate._meta.get_field("evidence_url").max_length

NEW, NEW_FOLLOW_UP, DUPLICATE, UNCHANGED, ERROR = (
    "new",
    "new_follow_up",
    "duplicate",
    "unchanged",
    "error",
)
WRITES = (NEW, NEW_FOLLOW_UP)


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
    """What importing a file would do, counted over every row while reading it once;
    only a window of the rows is kept (``rows``, all of them for a small file) and the
    first ``ERRORS_KEPT`` rows with errors, so planning a file of any length takes
    bounded memory. ``all_rows()`` reads the file again for every row."""

    rows: list[PlanRow] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)
    error_rows: list[PlanRow] = field(default_factory=list)
    total: int = 0
    error_count: int = 0
    counts: Counter = field(default_factory=Counter)
    start: int = 0  # the index of rows[0] among all rows
    source: dict = field(default_factory=dict, repr=False)  # build_plan's arguments

    @property
    def is_valid(self) -> bool:
        return not self.file_errors and not self.error_count and bool(self.total)

    @property
    def complete(self) -> bool:
        """Whether ``rows`` holds every row of the file."""
        return self.start == 0 and len(self.rows) == self.total

    def count(self, *actions: str) -> int:
        return sum(self.counts[action] for action in actions)

    @property
    def summary(self) -> dict[str, int]:
        return {
            "rows": self.total,
            "new": self.count(NEW, NEW_FOLLOW_UP),
            "new_follow_ups": self.count(NEW_FOLLOW_UP),
            "duplicate": self.count(DUPLICATE),
            "unchanged": self.count(UNCHANGED),
            "errors": self.error_count,
        }

    def all_rows(self) -> Iterator[PlanRow]:
        """Every row of the file with its action, in order (planned again, streaming,
        unless ``rows`` holds them all)."""
        if self.complete:
            return iter(self.rows)
        return iter_plan(**self.source)


def _parse(line: int, record: list[str], positions, today, url_validator) -> PlanRow:
    """One record as a row, with the errors that need no database."""
    cells = record_cells(record, positions)
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
                _("The evidence URL is not a valid http(s) address of at most %(n)s characters.")
                % {"n": EVIDENCE_MAX_LENGTH}
            )
    raw_visibility = (cells["visibility"] or "").strip().lower()
    if raw_visibility and raw_visibility not in ProgressUpdate.Visibility.values:
        row.errors.append(
            _("“%(value)s” is not a visibility. Use public or restricted.")
            % {"value": raw_visibility[:40]}
        )
    row.visibility = raw_visibility or ""
    return row


STATUSES = list(Status.values)


def _pack(date: datetime.date | None, status: str, planned: bool, had_follow_up: bool) -> int:
    """A follow-up's simulated latest (date, status), whether the file already plans an
    update for it, and whether it existed: one int (a few dozen bytes a follow-up)."""
    ordinal = date.toordinal() if date else 0
    return ordinal << 8 | STATUSES.index(status) << 2 | planned << 1 | had_follow_up


def _unpack(packed: int) -> tuple[datetime.date | None, str, bool, bool]:
    ordinal = packed >> 8
    date = datetime.date.fromordinal(ordinal) if ordinal else None
    return date, STATUSES[packed >> 2 & 0x3F], bool(packed & 2), bool(packed & 1)


@dataclass
class _Planner:
    """The state of planning one file: the codes it names, and per follow-up the latest
    (date, status) as its rows apply, and what its rows already planned. Rows are
    remembered by a 64-bit hash of what they say (Python's, which is fixed for the
    process: a plan is built and used in one), a few dozen bytes each."""

    today: datetime.date
    default_visibility: str
    everything: bool
    own: object
    items: dict[str, int] = field(default_factory=dict)
    delegations: dict[str, int] = field(default_factory=dict)
    latest: dict[int, int] = field(default_factory=dict)  # pair key → _pack(…)
    planned: set[int] = field(default_factory=set)  # hash of each planned update
    # hash of (pair, note or link) → visibility, for planned rows not of the default one.
    planned_notes: dict[int, str] = field(default_factory=dict)

    def load_codes(self, codes: set[str], delegation_codes: set[str]) -> None:
        """Two queries: the items and delegations the file names."""
        self.items = dict(
            Recommendation.objects.filter(code__in=codes | {c.upper() for c in codes}).values_list(
                "code", "pk"
            )
        )
        self.delegations = dict(
            Delegation.objects.filter(code__in=delegation_codes).values_list("code", "pk")
        )

    def resolve(self, row: PlanRow) -> None:
        row.recommendation_id = self.items.get(row.code) or self.items.get(row.code.upper())
        if row.code and row.recommendation_id is None:
            row.errors.append(_("Unknown recommendation code “%(code)s”.") % {"code": row.code})
        row.delegation_id = self.delegations.get(row.delegation)
        if row.delegation and row.delegation_id is None:
            row.errors.append(_("Unknown delegation “%(code)s”.") % {"code": row.delegation})
        elif row.delegation_id is not None and not self.everything:
            if self.own is None:
                row.errors.append(_("Your account may import only its own delegation's updates."))
            elif self.own.pk != row.delegation_id:
                row.errors.append(
                    _(
                        "This row is for %(theirs)s; you may import only %(own)s's updates, "
                        "so the file is refused."
                    )
                    % {"theirs": row.delegation, "own": self.own.code}
                )

    def plan_chunk(self, rows: list[PlanRow]) -> None:
        """Decide what each row of a chunk does. Two queries: the chunk's follow-ups and
        their progress updates."""
        valid = [row for row in rows if not row.errors]
        pairs = {(row.recommendation_id, row.delegation_id) for row in valid}
        follow_ups = {}
        if pairs:
            found = FollowUp.objects.filter(
                recommendation_id__in={rec for rec, _dele in pairs},
                delegation_id__in={dele for _rec, dele in pairs},
            ).values_list("pk", "recommendation_id", "delegation_id", "status")
            follow_ups = {
                (rec, dele): (pk, status) for pk, rec, dele, status in found if (rec, dele) in pairs
            }
        histories: dict[int, list[tuple]] = {}
        if follow_ups:
            for follow_up_id, *values in (
                ProgressUpdate.objects.filter(
                    follow_up_id__in=[pk for pk, _status in follow_ups.values()]
                )
                .order_by("follow_up_id", *LATEST_FIRST)
                .values_list("follow_up_id", "date", "status", "note", "evidence_url", "visibility")
            ):
                histories.setdefault(follow_up_id, []).append(tuple(values))
        for row in rows:
            if row.errors:
                row.action = ERROR
            else:
                self._plan_row(row, follow_ups, histories)

    def _plan_row(self, row, follow_ups, histories) -> None:
        pair = (row.recommendation_id, row.delegation_id)
        key = row.recommendation_id << 32 | row.delegation_id
        existing = follow_ups.get(pair)
        row.follow_up_id = existing[0] if existing else None
        history = histories.get(row.follow_up_id, []) if existing else []
        newest = history[0] if history else None
        packed = self.latest.get(key)
        if packed is None:
            state = (
                newest[0] if newest else None,
                existing[1] if existing else NOT_REPORTED,
                False,
                existing is not None,
            )
        else:
            state = _unpack(packed)
        latest_date, current, pair_planned, had_follow_up = state
        row.status_before = row.status_after = current

        if not row.visibility:
            row.visibility = (
                kept_visibility(row, history) or self._planned_visibility(key, row)
            ) or self.default_visibility

        if row.status == NOT_REPORTED and not (
            current == NOT_REPORTED and not (row.date_given or row.note or row.evidence_url)
        ):
            # An exported "No report yet" row imports back as nothing; it is no report.
            row.errors.append(
                _(
                    "“No report yet” is not a status to report, and this follow-up has a "
                    "report or the row adds one. Use one of: %(choices)s."
                )
                % {"choices": ", ".join(Status.values)}
            )
            row.action = ERROR
            return
        if not row.date_given:
            says_nothing_new = (
                row.status == current
                and (not row.note or (newest is not None and row.note == newest[2]))
                and (not row.evidence_url or (newest is not None and row.evidence_url == newest[3]))
            )
            if says_nothing_new:
                row.action = UNCHANGED
                return
            row.date = self.today

        identity = hash((key, row.date, row.status, row.note, row.evidence_url))
        if any(_same(update, row) for update in history) or identity in self.planned:
            row.action = DUPLICATE
            return
        row.action = NEW_FOLLOW_UP if not had_follow_up and not pair_planned else NEW
        self.planned.add(identity)
        if row.visibility != self.default_visibility:
            for value in (row.note, row.evidence_url):
                if value:
                    note_key = hash((key, value))
                    if self.planned_notes.get(note_key) != ProgressUpdate.Visibility.RESTRICTED:
                        self.planned_notes[note_key] = row.visibility
        if latest_date is None or row.date >= latest_date:
            latest_date, current = row.date, row.status
            row.status_after = row.status
        self.latest[key] = _pack(latest_date, current, True, had_follow_up)

    def _planned_visibility(self, key: int, row) -> str | None:
        """The visibility of an earlier row of the file repeating this note or link
        (only those not of the default visibility are remembered)."""
        if not self.planned_notes:
            return None
        found = [
            self.planned_notes.get(hash((key, value)))
            for value in (row.note, row.evidence_url)
            if value
        ]
        found = [visibility for visibility in found if visibility]
        if not found:
            return None
        restricted = ProgressUpdate.Visibility.RESTRICTED
        return restricted if restricted in found else ProgressUpdate.Visibility.PUBLIC


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


def iter_plan(
    text: str,
    *,
    user,
    default_visibility: str = ProgressUpdate.Visibility.PUBLIC,
    today: datetime.date | None = None,
) -> Iterator[PlanRow]:
    """Every row of ``text`` with what importing it would do, one at a time, reading
    the file twice (once for the codes it names) and keeping only what the plan of
    later rows needs. Writes nothing. Queries: the user's role (two at most), two
    look-ups, and two per ``CHUNK_ROWS`` rows. Raises ``ImportFileError`` if the file
    cannot be read at all (before the first row, or at the line that cannot be)."""
    today = today or timezone.localdate()
    positions, records = data_records(text)
    codes, delegation_codes = set(), set()
    for _line, record in records:
        cells = record_cells(record, positions)
        if code := (cells["code"] or "").strip():
            codes.add(code)
        if delegation := (cells["delegation"] or "").strip().upper():
            delegation_codes.add(delegation)
    everything = access.is_secretariat(user)
    planner = _Planner(
        today=today,
        default_visibility=default_visibility,
        everything=everything,
        own=None if everything else access.delegation_of(user),
    )
    planner.load_codes(codes, delegation_codes)
    url_validator = URLValidator(schemes=["http", "https"])
    chunk: list[PlanRow] = []
    for line, record in data_records(text)[1]:
        row = _parse(line, record, positions, today, url_validator)
        planner.resolve(row)
        chunk.append(row)
        if len(chunk) == CHUNK_ROWS:
            planner.plan_chunk(chunk)
            yield from chunk
            chunk = []
    planner.plan_chunk(chunk)
    yield from chunk


def build_plan(
    text: str,
    *,
    user,
    default_visibility: str = ProgressUpdate.Visibility.PUBLIC,
    today: datetime.date | None = None,
    start: int = 0,
    keep: int = ROWS_KEPT,
    count_all: bool = True,
) -> ImportPlan:
    """Check every row of ``text`` and count what importing it would do, keeping the
    rows ``start`` to ``start + keep`` (the page of the preview) and the first
    ``ERRORS_KEPT`` rows with errors. With ``count_all=False`` planning stops after the
    kept rows (a row's plan depends only on the rows before it), and the counts cover
    only the rows read. Writes nothing; memory does not grow with the number of rows
    beyond a few dozen bytes each. Queries: as ``iter_plan``. Raises
    ``ImportFileError`` if the file cannot be read at all."""
    source = {
        "text": text,
        "user": user,
        "default_visibility": default_visibility,
        "today": today or timezone.localdate(),
    }
    plan = ImportPlan(start=start, source=source)
    for index, row in enumerate(iter_plan(**source)):
        plan.total += 1
        plan.counts[row.action] += 1
        if row.errors:
            plan.error_count += 1
            if len(plan.error_rows) < ERRORS_KEPT:
                plan.error_rows.append(row)
        if start <= index < start + keep:
            plan.rows.append(row)
        elif not count_all and index >= start + keep:
            break
    if not plan.total:
        plan.file_errors.append(_("The file has no rows to import."))
    return plan
