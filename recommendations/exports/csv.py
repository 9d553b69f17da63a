"""Writing an ``ExportQuery`` as CSV: RFC 4180, UTF-8 with a byte-order mark, CRLF line
ends, streamed in blocks of about 64 KB. Two writers make the same bytes:

- the ORM path (every database): ``values_list(...).iterator()``, cells formatted in
  Python by ``formatting.cell`` and written by ``csv.writer``;
- the COPY path (PostgreSQL): ``COPY (SELECT <cells formatted in SQL> FROM (<the same
  SELECT>) AS t) TO STDOUT (FORMAT csv)`` through psycopg's ``cursor.copy()``, each
  row's final newline turned into CRLF. No Python per cell: the fast path.

Both run inside their own transaction, opened by the streaming generator itself: the
export's ``statement_timeout`` (and ``jit = off``) are set there for that transaction
only (``set_config(..., true)``, the same as ``SET LOCAL``), server-side cursors are
never ``WITH HOLD`` (which would make PostgreSQL materialise the whole result first),
and closing the generator (a client that disconnects) cancels the query and rolls the
transaction back.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.db import connection
from django.http import StreamingHttpResponse

from .formatting import BOM, cell, sql_cell
from .queries import ExportQuery, export_transaction

BLOCK_SIZE = 64 * 1024
CHUNK_ROWS = 2000


@dataclass
class Progress:
    """Filled in while a file streams: how many rows were written."""

    rows: int = 0


class _Line:
    """A file-like sink for csv.writer that hands back each formatted line."""

    def write(self, line):
        return line


def _writer():
    return csv.writer(_Line(), lineterminator="\r\n")


# --- The ORM path --------------------------------------------------------------------


def orm_rows(query: ExportQuery) -> Iterator[list[str]]:
    """The cells of each row, formatted in Python. One query (a server-side cursor on
    PostgreSQL, fetched CHUNK_ROWS at a time)."""
    columns = query.columns
    for row in query.rows.iterator(chunk_size=CHUNK_ROWS):
        yield [cell(row[column.source], column) for column in columns]


def _orm_blocks(query: ExportQuery, progress: Progress) -> Iterator[bytes]:
    writer = _writer()
    lines, size = [], 0
    for cells in orm_rows(query):
        line = writer.writerow(cells)
        lines.append(line)
        size += len(line)
        progress.rows += 1
        if size >= BLOCK_SIZE:
            yield "".join(lines).encode("utf-8")
            lines, size = [], 0
    if lines:
        yield "".join(lines).encode("utf-8")


# --- The COPY path -------------------------------------------------------------------


def copy_statement(query: ExportQuery) -> str:
    """The COPY statement for ``query``, its parameters bound client-side by psycopg
    (``connection.ops.compose_sql``: proper literal quoting, so the composed text is as
    safe as a parameterised query). Relies on PostgreSQL keeping the order of a FROM
    subquery that has an ORDER BY (such a subquery is never flattened)."""
    inner_sql, inner_params = query.rows.query.sql_with_params()
    cells, params = [], []
    for column in query.columns:
        sql, cell_params = sql_cell(column, f't."c{column.source}"')
        cells.append(sql)
        params.extend(cell_params)
    # Only fixed templates and Django's compiled SQL go into the text; every value is
    # a parameter, bound below.
    sql = (
        f"COPY (SELECT {', '.join(cells)} FROM ({inner_sql}) AS t) "  # noqa: S608
        "TO STDOUT (FORMAT csv, ENCODING 'UTF8')"
    )
    return connection.ops.compose_sql(sql, [*params, *inner_params])


def _copy_blocks(query: ExportQuery, progress: Progress) -> Iterator[bytes]:
    """The rows of the COPY, CRLF-terminated, joined into blocks of about BLOCK_SIZE."""
    statement = copy_statement(query)
    block = bytearray()
    with connection.cursor() as cursor, cursor.copy(statement) as copy:
        # libpq hands back one row per message; COPY ends rows with "\n". Embedded
        # newlines stay inside their quoted field, exactly as csv.writer leaves them.
        for row in copy:
            if row[-1] != 10:
                raise RuntimeError("COPY returned a partial row")
            block += row[:-1]
            block += b"\r\n"
            progress.rows += 1
            if len(block) >= BLOCK_SIZE:
                yield bytes(block)
                block.clear()
    if block:
        yield bytes(block)


# --- The file ------------------------------------------------------------------------

# How rows are written: both give the same bytes.
ENGINES = {"orm": _orm_blocks, "copy": _copy_blocks}


def default_engine() -> str:
    return "copy" if connection.vendor == "postgresql" else "orm"


def stream(
    build: Callable[[], ExportQuery],
    *,
    engine: str | None = None,
    progress: Progress | None = None,
) -> Iterator[bytes]:
    """The bytes of the file, in blocks of about 64 KB: BOM and header first (at once,
    so the first byte is quick), then the rows. ``build`` runs inside the export's own
    transaction; queries: the settings (PostgreSQL), what ``build`` makes, and one
    SELECT or COPY whatever the number of rows."""
    engine = engine or default_engine()
    if engine not in ENGINES:
        raise ValueError(f"Unknown engine {engine!r}.")
    if engine == "copy" and connection.vendor != "postgresql":
        raise ValueError("The COPY path needs PostgreSQL.")
    progress = progress if progress is not None else Progress()
    with export_transaction():
        query = build()
        yield (BOM + _writer().writerow(query.header)).encode("utf-8")
        blocks = ENGINES[engine](query, progress)
        try:
            yield from blocks
        finally:
            # Close the COPY (cancelling it) before the transaction ends, also when
            # the client went away and this generator is being closed.
            blocks.close()


def attachment(content: Iterator[bytes], filename: str) -> StreamingHttpResponse:
    """``content`` as a streamed CSV download named ``filename``."""
    response = StreamingHttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response
