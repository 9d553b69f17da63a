"""From a value to the text of a cell, the same whichever path writes it: in Python
(``cell``, for the ORM path) and in PostgreSQL (``sql_cell``, for the COPY path).

'' for None, ISO dates, yes/no for booleans, theme slugs in code-point order, and a
leading ' before text that a spreadsheet would read as a formula.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

BOM = "\ufeff"
# OWASP CSV injection guidance: these first characters make a spreadsheet evaluate a cell.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")

# How a column's value is written.
TEXT, THEMES, DATE, BOOL, INT = "text", "themes", "date", "bool", "int"


@dataclass(frozen=True)
class Column:
    """One column of the file: its header, how its value is written, and where the
    value comes from (``source``: a column of the SELECT; ``key``: a key of the JSON
    object in that column, for the matrix)."""

    name: str
    kind: str
    source: int
    key: str | None = None


def neutralise(value) -> str:
    """The cell text for ``value``: '' for None, ISO dates, yes/no for booleans, and a
    leading ' for text that a spreadsheet would read as a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def cell(value, column: Column) -> str:
    """The text of ``column``'s cell for ``value``, the column's source in one row."""
    if column.key is not None:
        value = (value or {}).get(column.key)
    if column.kind == THEMES and value:
        value = "; ".join(sorted(value.split("; ")))
    return neutralise(value)


# The same formatting as ``cell`` + csv.writer, in PostgreSQL: a leading ' before a
# formula (ascii() is the code of the first character: = + - @ tab CR LF), ISO dates,
# yes/no, and NULLIF so that an empty string comes out unquoted (COPY quotes a non-NULL
# empty string, Python's writer does not). Theme slugs are already in code-point order
# (the query aggregates them so).
_SQL_CELL = {
    TEXT: (
        "CASE WHEN ascii({x}) IN (61, 43, 45, 64, 9, 13, 10) "
        "THEN '''' || {x} ELSE NULLIF({x}, '') END"
    ),
    DATE: "to_char({x}, 'YYYY-MM-DD')",
    BOOL: "CASE WHEN {x} THEN 'yes' WHEN NOT {x} THEN 'no' END",
    INT: "{x}",
}
_SQL_CELL[THEMES] = _SQL_CELL[TEXT]


def sql_cell(column: Column, ref: str) -> tuple[str, list[str]]:
    """The SQL expression of ``column``'s cell, its source being the SQL ``ref``, and
    the parameters it takes (the JSON key, for the matrix). Only fixed templates and
    ``ref`` go into the text."""
    template = _SQL_CELL[column.kind]
    params = []
    if column.key is not None:
        ref = f"({ref} ->> %s)"
        params = [column.key] * template.count("{x}")
    return template.format(x=ref), params
