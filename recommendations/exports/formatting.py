"""From a value to the text of a cell, the same whichever path writes it: in Python
(``cell``, for the ORM path) and in PostgreSQL (``sql_cell``, for the COPY path).

'' for None, ISO dates, yes/no for booleans, theme slugs in code-point order, and a
leading ' before text that a spreadsheet could read as a formula: text that starts
with = + - @, tab, CR or LF, or with = + - @ after whitespace, once any apostrophes
it starts with are set aside. ``unneutralise`` takes that one ' off again (the
importer reads exported files with it).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

BOM = "\ufeff"
# OWASP CSV injection guidance: these first characters make a spreadsheet evaluate a
# cell; the first four also behind whitespace, since a spreadsheet that trims spaces
# on import (LibreOffice with "Trim spaces") reads " =1+1" as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
FORMULA_SIGNS = ("=", "+", "-", "@")
# Every character that Python calls whitespace (str.isspace), spelt out for the SQL.
WHITESPACE = (
    "\t\n\v\f\r\x1c\x1d\x1e\x1f \x85\xa0\u1680"
    "\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000"
)

# How a column's value is written.
TEXT, THEMES, DATE, BOOL, INT = "text", "themes", "date", "bool", "int"


@dataclass(frozen=True)
class Column:
    """One column of the file: its header, how its value is written, and where the
    value comes from (``source``: a column of the SELECT; ``key``: a key of the JSON
    object in that column, for the matrix).

    For people (the spreadsheet), ``label`` is the header they read (translatable;
    ``name`` when empty) and ``words`` what the value is, to be said in words (a
    ``words.Vocabulary``: a status, theme slugs, a delegation code...), looked up
    within the value of the column ``scope`` when the key is only unique there (a
    session's code within its meeting)."""

    name: str
    kind: str
    source: int
    key: str | None = None
    label: str = ""
    words: object = None
    scope: int | None = None


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
    if is_formula(text):
        return "'" + text
    return text


def is_formula(text: str) -> bool:
    """Whether a spreadsheet could read ``text`` as a formula once the apostrophes it
    starts with are set aside (so that such text gets one more, and ``unneutralise``
    can take exactly one off whatever the text)."""
    text = text.lstrip("'")
    return text.startswith(FORMULA_STARTS) or text.lstrip(WHITESPACE).startswith(FORMULA_SIGNS)


def unneutralise(text: str) -> str:
    """The text that ``neutralise`` wrote as ``text``, for reading an exported file
    back: ``unneutralise(neutralise(t)) == t`` for every text ``t``."""
    if text.startswith("'") and is_formula(text[1:]):
        return text[1:]
    return text


def cell(value, column: Column) -> str:
    """The text of ``column``'s cell for ``value``, the column's source in one row."""
    if column.key is not None:
        value = (value or {}).get(column.key)
    if column.kind == THEMES and value:
        value = "; ".join(sorted(value.split("; ")))
    return neutralise(value)


def _codes(characters) -> str:
    return ", ".join(str(ord(c)) for c in characters)


# WHITESPACE as a PostgreSQL literal in plain ASCII text: U&'\0009\000A...'.
_SQL_WHITESPACE = "U&'" + "".join(f"\\{ord(c):04X}" for c in WHITESPACE) + "'"
# ``is_formula`` in PostgreSQL; ascii() is the code of the first character (0 for '').
_SQL_IS_FORMULA = (
    f"ascii(ltrim({{x}}, '''')) IN ({_codes(FORMULA_STARTS)}) "
    f"OR ascii(ltrim(ltrim({{x}}, ''''), {_SQL_WHITESPACE})) IN ({_codes(FORMULA_SIGNS)})"
)
# The same formatting as ``cell`` + csv.writer, in PostgreSQL: a leading ' before a
# formula, ISO dates, yes/no, and NULLIF so that an empty string comes out unquoted
# (COPY quotes a non-NULL empty string, Python's writer does not). Theme slugs are
# already in code-point order (the query aggregates them so). ltrim() costs several
# times a test of the first character, so the CASE calls it only for text that starts
# with an apostrophe or whitespace.
_SQL_CELL = {
    TEXT: (
        f"CASE WHEN ascii({{x}}) IN ({_codes(FORMULA_STARTS)}) THEN '''' || {{x}} "
        f"WHEN ascii({{x}}) NOT IN ({_codes(chr(39) + WHITESPACE)}) THEN NULLIF({{x}}, '') "
        f"WHEN {_SQL_IS_FORMULA} THEN '''' || {{x}} "
        "ELSE NULLIF({x}, '') END"
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
