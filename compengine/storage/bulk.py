"""Many rows into one table at bulk speed, inside the caller's transaction.

PostgreSQL gets the rows through COPY (CSV written by pyarrow), SQLite through one
``executemany`` of plain tuples on the raw connection: both skip SQLAlchemy's
per-row parameter processing, which costs more than the database's own work when a
load stages millions of rows or a run writes tens of thousands of lines. Values go in
as they are; a caller writes times as text (`stored_time`).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import pyarrow as pa
import pyarrow.csv as pcsv
from sqlalchemy import Table
from sqlalchemy.engine import Connection

Writer = Callable[[pa.Table], None]


def stored_time(moment: datetime, dialect: str) -> str:
    """An aware time as text the column takes as the ORM would write it: SQLAlchemy's
    SQLite form (UTC, no offset), or with its offset for PostgreSQL's timestamptz
    (without one, COPY would read it in the session's time zone)."""
    utc = moment.astimezone(UTC)
    if dialect == "postgresql":
        return utc.isoformat(sep=" ")
    return utc.strftime("%Y-%m-%d %H:%M:%S.%f")


@contextmanager
def bulk_writer(connection: Connection, table: Table, names: list[str]) -> Iterator[Writer]:
    """A function that appends rows (pyarrow tables with the columns `names`) to `table`.

    On PostgreSQL all rows go through one COPY whose data a psycopg thread sends
    while the caller prepares the next chunk; no other statement may run on the
    connection until the block ends.
    """
    raw = connection.connection.driver_connection
    quote = connection.dialect.identifier_preparer.quote
    columns = ", ".join(map(quote, names))
    if connection.dialect.name == "postgresql":
        from psycopg.copy import QueuedLibpqWriter  # psycopg only where it is the driver

        statement = f"COPY {quote(table.name)} ({columns}) FROM STDIN (FORMAT csv)"
        with (
            raw.cursor() as cursor,
            cursor.copy(statement, writer=QueuedLibpqWriter(cursor)) as copy,
        ):
            yield lambda rows: copy.write(_csv(rows.select(names)))
        return
    insert = f"INSERT INTO {quote(table.name)} ({columns}) VALUES ({', '.join('?' * len(names))})"
    yield lambda rows: raw.executemany(
        insert, zip(*(column.to_pylist() for column in rows.select(names).columns), strict=True)
    )


def _csv(rows: pa.Table) -> memoryview:
    buffer = io.BytesIO()
    pcsv.write_csv(rows, buffer, pcsv.WriteOptions(include_header=False))
    return buffer.getbuffer()


def append(connection: Connection, table: Table, rows: pa.Table) -> None:
    """Bulk-insert one pyarrow table of rows, its columns named as the table's."""
    if rows.num_rows:
        with bulk_writer(connection, table, rows.column_names) as write:
            write(rows)
