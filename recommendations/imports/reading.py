"""Reading an import file: bytes to text, text to records, records to cells."""

from __future__ import annotations

import csv
import datetime
from collections.abc import Iterator

from django.conf import settings
from django.utils.translation import gettext as _

from ..exports import unneutralise
from ..status import NOT_REPORTED, Status

MAX_BYTES = settings.IMPORT_MAX_MB * 1024 * 1024
STATUS_VALUES = frozenset(Status.values)
# "No report yet", as an exported file writes it (the key, or the label as a key).
NO_REPORT = frozenset({NOT_REPORTED, "no_report_yet"})
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")


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


def parse_date(value: str) -> datetime.date:
    if len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:  # the common case, without strptime's cost
            return datetime.date.fromisoformat(value)
        except ValueError:
            pass
    for pattern in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    raise ValueError(value)


def parse_status(value: str) -> str | None:
    """A status value (``in_progress``) or its label (“In progress”), any case; "No
    report yet" reads as ``not_reported``, which a row may only repeat (see ``plan``)."""
    key = value.strip().lower().replace(" ", "_").replace("-", "_")
    if key in NO_REPORT:
        return NOT_REPORTED
    return key if key in STATUS_VALUES else None


def iter_records(text: str) -> Iterator[tuple[int, list[str]]]:
    """The records of ``text`` (the header first) with the line each starts on, read
    one at a time. The separator is ``;`` when the header line has more of those than
    commas."""
    end = text.find("\n")
    first_line = text[: end if end >= 0 else len(text)]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(_lines(text), delimiter=delimiter)
    start = 1
    try:
        for record in reader:
            yield start, record
            start = reader.line_num + 1
    except csv.Error as error:
        raise ImportFileError(
            _("Line %(line)s cannot be read as CSV: %(error)s")
            % {"line": reader.line_num, "error": error}
        ) from None


def _lines(text: str) -> Iterator[str]:
    """The lines of ``text`` with their endings, one at a time: no copy of the whole
    text (``io.StringIO`` would hold one, at four bytes a character). A file whose
    lines end with a bare CR (old Mac spreadsheets) is split on those."""
    separator = "\n" if "\n" in text or "\r" not in text else "\r"
    start, length = 0, len(text)
    while start < length:
        end = text.find(separator, start)
        if end < 0:
            yield text[start:]
            return
        yield text[start : end + 1]
        start = end + 1


def read_records(text: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and the records of ``text`` with the line each starts on."""
    records = list(iter_records(text))
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


def record_cells(record: list[str], positions: dict[str, int]) -> dict[str, str | None]:
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


def data_records(text: str):
    """The header's column positions, and the non-blank records after it."""
    records = iter_records(text)
    first = next(records, None)
    if first is None:
        raise ImportFileError(_("The file is empty."))
    positions = _header_map(first[1])

    def data():
        for line, record in records:
            if any(cell.strip() for cell in record):  # blank lines end many spreadsheets
                yield line, record

    return positions, data()
