"""Temporary staging tables, filled at bulk speed inside the load's transaction.

Rows go in through `storage.bulk` (COPY on PostgreSQL). Temporary tables are invisible to other
connections and vanish with a rollback, so a refused load leaves no trace.
"""

from __future__ import annotations

from functools import cache

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
