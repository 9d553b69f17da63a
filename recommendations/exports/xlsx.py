"""Writing an ``ExportQuery`` as a spreadsheet (XLSX) for people to read and send on,
with openpyxl's write-only workbook.

- The rows are the CSV's: the same query builder, the same SELECT, in the export's
  own transaction (``export_transaction``).
- Headers and values are in the active language (``words.Reader``): status and kind
  labels, theme, delegation, meeting and session names, "Yes" and "No"; counts are
  numbers and dates are date cells shown as yyyy-mm-dd.
- Text is always a string cell, never a formula or an error value, whatever it starts
  with; text that a spreadsheet would read as a formula also gets the quote prefix,
  so that editing the cell keeps it text. Characters XML cannot hold (control
  characters other than tab, CR and LF) are left out.
- The header row is bold, frozen and carries the autofilter; each column is as wide
  as its header and first rows need, between MIN_WIDTH and MAX_WIDTH characters.

Memory stays bounded: rows are fetched CHUNK_ROWS at a time and written as they come
(openpyxl keeps the sheet in a temporary file); only the first SAMPLE_ROWS are held,
to size the columns before the first row goes out. The workbook is saved to a
temporary file, which the response sends and then deletes.
"""

from __future__ import annotations

import contextlib
import datetime
import tempfile
from collections.abc import Callable
from itertools import chain, islice

from django.http import FileResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from .csv import CHUNK_ROWS, Progress
from .formatting import is_formula
from .queries import ExportQuery, export_transaction
from .words import Reader

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A sheet holds 1,048,576 rows, the header being one of them.
MAX_ROWS = 1_048_575
SAMPLE_ROWS = 200
MIN_WIDTH, MAX_WIDTH = 8, 60
DATE_FORMAT = "yyyy-mm-dd"
_BOLD = Font(bold=True)
# Characters a sheet title may not hold.
_TITLE_FORBIDDEN = str.maketrans(dict.fromkeys("[]:*?/\\", " "))


class TooManyRows(ValueError):
    """The export has more rows than one sheet can hold."""


def _text_cell(sheet, text: str, *, bold: bool = False):
    """A cell that is text whatever ``text`` holds."""
    text = ILLEGAL_CHARACTERS_RE.sub("", text)
    cell = WriteOnlyCell(sheet, text)
    # openpyxl takes text that starts with "=" for a formula and "#N/A" for an error
    # value: this cell is text, always.
    cell.data_type = "s"
    if is_formula(text):
        cell.quotePrefix = True
    if bold:
        cell.font = _BOLD
    return cell


def _cell(sheet, value):
    """What ``sheet.append`` gets for ``value``: a cell of ours for text that could be
    read as a formula or an error value and for dates, the value itself otherwise
    (openpyxl makes other text a string cell and a number a number; a cell object
    costs it twice as much)."""
    if isinstance(value, str):
        text = ILLEGAL_CHARACTERS_RE.sub("", value)
        if is_formula(text) or text in ERROR_CODES:
            return _text_cell(sheet, text)
        return text
    if isinstance(value, datetime.date):
        cell = WriteOnlyCell(sheet, value)
        cell.number_format = DATE_FORMAT
        return cell
    return value


def _shown_width(value) -> int:
    if value is None:
        return 0
    if isinstance(value, datetime.date):
        return len(DATE_FORMAT)
    return max(len(line) for line in str(value).splitlines() or [""])


def column_widths(header: list[str], rows: list[list]) -> list[int]:
    """Each column's width in characters: its header's or its widest value's in
    ``rows``, plus a margin, between MIN_WIDTH and MAX_WIDTH."""
    widths = []
    for i, name in enumerate(header):
        widest = max([len(name), *(_shown_width(row[i]) for row in rows)])
        widths.append(min(MAX_WIDTH, max(MIN_WIDTH, widest + 2)))
    return widths


def _discard(sheet) -> None:
    """Close a sheet that will not be saved and remove its temporary file (openpyxl
    removes it only when the workbook is saved)."""
    with contextlib.suppress(Exception):
        sheet.close()
    writer = getattr(sheet, "_writer", None)
    if writer is not None:
        with contextlib.suppress(Exception):
            writer.cleanup()


def write(
    build: Callable[[], ExportQuery],
    file,
    *,
    title: str = "",
    progress: Progress | None = None,
) -> None:
    """Write the workbook of ``build``'s query to ``file`` (a binary file object),
    one sheet named ``title``. Raises ``TooManyRows`` beyond MAX_ROWS rows. Queries:
    the export's transaction and settings, what ``build`` makes, the names its columns
    need (``words.Reader``: one query per table, at most four), and one SELECT
    whatever the number of rows."""
    progress = progress if progress is not None else Progress()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(str(title).translate(_TITLE_FORBIDDEN)[:31] or "Export")
    try:
        with export_transaction():
            header = _write_rows(sheet, build(), progress)
    except BaseException:
        _discard(sheet)
        raise
    last = get_column_letter(max(len(header), 1))
    sheet.auto_filter.ref = f"A1:{last}{progress.rows + 1}"
    workbook.save(file)


def _write_rows(sheet, query: ExportQuery, progress: Progress) -> list[str]:
    """The header and every row of ``query`` into ``sheet``; returns the header."""
    reader = Reader(query.columns)
    header = reader.header()
    rows = query.rows.iterator(chunk_size=CHUNK_ROWS)
    try:
        people_rows = (reader.row(values) for values in rows)
        sample = list(islice(people_rows, SAMPLE_ROWS))
        for i, width in enumerate(column_widths(header, sample), start=1):
            sheet.column_dimensions[get_column_letter(i)].width = width
        sheet.freeze_panes = "A2"
        sheet.append([_text_cell(sheet, name, bold=True) for name in header])
        for row in chain(sample, people_rows):
            if progress.rows == MAX_ROWS:
                raise TooManyRows(
                    f"More than {MAX_ROWS:,} rows: too many for one spreadsheet. "
                    "Narrow the filters, or download the CSV."
                )
            sheet.append([_cell(sheet, value) for value in row])
            progress.rows += 1
    finally:
        # Close the cursor before the transaction ends, also on an error.
        rows.close()
    return header


def response(build: Callable[[], ExportQuery], filename: str, *, title: str = "") -> FileResponse:
    """The workbook as a download named ``filename``. Written before the response
    starts (to a temporary file, in bounded memory), so an error is an error page,
    never half a file. Raises ``TooManyRows`` as ``write`` does."""
    file = tempfile.TemporaryFile()  # noqa: SIM115 - the response closes (and so deletes) it
    try:
        write(build, file, title=title)
        file.seek(0)
    except BaseException:
        file.close()
        raise
    answer = FileResponse(file, as_attachment=True, filename=filename, content_type=CONTENT_TYPE)
    answer["X-Content-Type-Options"] = "nosniff"
    answer["Cache-Control"] = "no-store"
    return answer
