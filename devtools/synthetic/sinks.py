"""Where the generated rows go: PostgreSQL's ``COPY … FROM STDIN`` through psycopg 3,
or ``bulk_create`` on any other database (correct, but only meant for small sizes)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection
from django.db.models import Max


class CopySink:
    """Streams rows into PostgreSQL with ``COPY … FROM STDIN``."""

    def __init__(self, cursor):
        self.cursor = cursor

    def write(self, model, columns: list[str], rows: Iterable[tuple]) -> int:
        qn = connection.ops.quote_name
        sql = f"COPY {qn(model._meta.db_table)} ({', '.join(qn(c) for c in columns)}) FROM STDIN"
        n = 0
        with self.cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)
                n += 1
        return n


class BulkCreateSink:
    """Builds model instances and saves them with ``bulk_create`` (any database).
    Note that ``bulk_create`` stamps auto_now/auto_now_add fields with the current time."""

    batch_size = 1000

    def write(self, model, columns: list[str], rows: Iterable[tuple]) -> int:
        batch, n = [], 0
        for row in rows:
            batch.append(model(**dict(zip(columns, row, strict=True))))
            if len(batch) >= self.batch_size:
                model.objects.bulk_create(batch, batch_size=self.batch_size)
                n += len(batch)
                batch = []
        if batch:
            model.objects.bulk_create(batch, batch_size=self.batch_size)
            n += len(batch)
        return n


def reserve_ids(cursor, model, n: int) -> int:
    """Reserve ``n`` consecutive primary keys for ``model`` and return the first.

    PostgreSQL: the table is locked against concurrent writers for the rest of the
    transaction, then the identity sequence is moved past the block. SQLite: the single
    writer holds the database, and its sequence follows the largest id inserted.
    """
    table = model._meta.db_table
    qn = connection.ops.quote_name
    if connection.vendor == "postgresql":
        cursor.execute(f"LOCK TABLE {qn(table)} IN SHARE ROW EXCLUSIVE MODE")
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        sequence = cursor.fetchone()[0]
        cursor.execute(
            f"SELECT GREATEST(nextval(%s), (SELECT COALESCE(MAX(id), 0) + 1 FROM {qn(table)}))",  # noqa: S608
            [sequence],
        )
        first = cursor.fetchone()[0]
        if n:
            cursor.execute("SELECT setval(%s, %s)", [sequence, first + n - 1])
        return first
    return (model.objects.aggregate(m=Max("id"))["m"] or 0) + 1
