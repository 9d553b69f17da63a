"""The exports: each list's rows as a file that opens cleanly in a spreadsheet and
matches what was filtered.

- ``registry``: the kinds of export (``REGISTRY``, ``KINDS``) and binding one to the
  list's query parameters (``export_from_params``);
- ``queries``: one query builder per kind, whatever the output format;
- ``formatting``: from a value to the text of a cell, in Python and in SQL, with the
  formula neutralisation;
- ``words``: the headers and values as people read them, in the active language;
- ``csv``: the streamed CSV writer, its ORM and PostgreSQL COPY paths;
- ``xlsx``: the spreadsheet writer (openpyxl, write-only), for people.

Callers import from here.
"""

from ..access import PUBLIC, STAFF, Audience
from .csv import ENGINES, Progress, copy_statement, default_engine, orm_rows, stream
from .formatting import BOM, neutralise, unneutralise
from .queries import (
    CHANGE_HEADER,
    FOLLOW_UP_HEADER,
    PROGRESS_UPDATE_HEADER,
    RECOMMENDATION_HEADER,
    ExportQuery,
    export_transaction,
    follow_ups_query,
    matrix_query,
    progress_updates_query,
    recommendations_query,
)
from .registry import (
    FORMATS,
    KINDS,
    REGISTRY,
    Export,
    ExportFormat,
    ExportKind,
    InvalidParameters,
    export_filename,
    export_from_params,
    follow_ups_response,
)
from .words import Reader
from .xlsx import TooManyRows

__all__ = [
    "BOM",
    "CHANGE_HEADER",
    "ENGINES",
    "FOLLOW_UP_HEADER",
    "FORMATS",
    "KINDS",
    "PROGRESS_UPDATE_HEADER",
    "PUBLIC",
    "RECOMMENDATION_HEADER",
    "REGISTRY",
    "STAFF",
    "TooManyRows",
    "Audience",
    "Export",
    "ExportFormat",
    "ExportKind",
    "ExportQuery",
    "InvalidParameters",
    "Progress",
    "Reader",
    "copy_statement",
    "default_engine",
    "export_filename",
    "export_from_params",
    "export_transaction",
    "follow_ups_query",
    "follow_ups_response",
    "matrix_query",
    "neutralise",
    "orm_rows",
    "progress_updates_query",
    "recommendations_query",
    "stream",
    "unneutralise",
]
