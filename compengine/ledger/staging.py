"""Temporary staging tables, filled at bulk speed inside the load's transaction.

PostgreSQL gets the rows through COPY (CSV written by pyarrow), SQLite through
``executemany`` on the raw connection. Temporary tables are invisible to other
connections and vanish with a rollback, so a refused load leaves no trace.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache

import pyarrow as pa
import pyarrow.csv as pcsv
from psycopg.copy import QueuedLibpqWriter
from sqlalchemy import BigInteger, Column, Integer, MetaData, Table, text
from sqlalchemy.engine import Connection

from compengine.ledger.files import InputFile
from compengine.ledger.validate import LINE

_LINE_TYPE = BigInteger().with_variant(Integer(), "sqlite")  # INTEGER PRIMARY KEY is the rowid


@cache
def staging_table(spec: InputFile, dialect: str) -> Table:
    """stage_<file>: the line and the stored columns of the file (all nullable).

    On SQLite the line is the rowid (INTEGER PRIMARY KEY): one value less to bind per
    row, which is a good part of the cost of ``executemany``. Tables are made once per
    process so that SQLAlchemy's statement cache serves every load.
    """
    columns = [Column(LINE, _LINE_TYPE, primary_key=dialect == "sqlite", autoincrement=False)]
    columns += [
        Column(column.stored_as, spec.table.c[column.stored_as].type, nullable=True)
        for column in spec.columns
    ]
    return temporary_table(f"stage_{spec.name}", *columns)


@cache
def rejected_table(spec: InputFile) -> Table:
    """Lines of the file that failed a row check (usually none, indexed for when not)."""
    line = Column(LINE, _LINE_TYPE, primary_key=True, autoincrement=False)
    return temporary_table(f"stage_{spec.name}_rejected", line)


def temporary_table(name: str, *columns: Column) -> Table:
    """A table that lives only inside the load's connection."""
    return Table(name, MetaData(), *columns, prefixes=["TEMPORARY"])


def create(connection: Connection, table: Table) -> None:
    table.drop(connection, checkfirst=True)
    table.create(connection)


def drop(connection: Connection, table: Table) -> None:
    table.drop(connection, checkfirst=True)


Writer = Callable[[pa.Table], None]


@contextmanager
def bulk_writer(connection: Connection, table: Table) -> Iterator[Writer]:
    """A function that appends rows (columns named as the table's) to `table`.

    On PostgreSQL all rows go through one COPY whose data a psycopg thread sends
    while the caller reads and checks the next chunk; no other statement may run on
    the connection until the block ends.
    """
    names = [column.name for column in table.columns]
    raw = connection.connection.driver_connection
    if connection.dialect.name == "postgresql":
        quote = connection.dialect.identifier_preparer.quote
        statement = (
            f"COPY {quote(table.name)} ({', '.join(map(quote, names))}) FROM STDIN (FORMAT csv)"
        )
        with (
            raw.cursor() as cursor,
            cursor.copy(statement, writer=QueuedLibpqWriter(cursor)) as copy,
        ):
            yield lambda rows: copy.write(_csv(rows.select(names)))
        return
    insert = f'INSERT INTO "{table.name}" VALUES ({", ".join("?" for _ in names)})'
    yield lambda rows: raw.executemany(
        insert, zip(*(column.to_pylist() for column in rows.select(names).columns), strict=True)
    )


def _csv(rows: pa.Table) -> memoryview:
    buffer = io.BytesIO()
    pcsv.write_csv(rows, buffer, pcsv.WriteOptions(include_header=False))
    return buffer.getbuffer()


def append(connection: Connection, table: Table, rows: pa.Table) -> None:
    """Bulk-insert one table of rows."""
    if rows.num_rows:
        with bulk_writer(connection, table) as write:
            write(rows)


def prepare_for_queries(connection: Connection, table: Table, key: list[str]) -> None:
    """After bulk loading: an index on the key (SQLite) or fresh statistics (PostgreSQL)."""
    quote = connection.dialect.identifier_preparer.quote
    if connection.dialect.name == "postgresql":
        connection.execute(text(f"ANALYZE {quote(table.name)}"))
    else:
        columns = ", ".join(quote(name) for name in key)
        connection.execute(
            text(f"CREATE INDEX ix_{table.name}_key ON {quote(table.name)} ({columns})")
        )
