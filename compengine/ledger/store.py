"""Writing checked staging rows into the ledger tables, with audit of replacements.

Only rows that are new or changed are written: a re-delivered identical row is left
alone, a changed one (allowed with --replace) is deleted and inserted again.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Table, case, exists, func, insert, literal, select
from sqlalchemy.engine import Connection

from compengine.ledger.checks import Staged
from compengine.ledger.rows import as_file_row, content_differs, describe_key, same_key
from compengine.storage.models import AuditEvent, LoadBatch

_AUDIT_BATCH = 1000
_REBUILD_INDEXES_FROM = 100_000  # rows inserted into one table


@dataclass(frozen=True)
class FileCounts:
    source: str
    rows: int
    new: int
    unchanged: int
    replaced: int


def count_rows(connection: Connection, item: Staged) -> FileCounts:
    """How many staged rows are new, stored already as they are, or stored otherwise."""
    spec, stage = item.spec, item.table
    stored = spec.table.alias("stored")
    rows = connection.scalar(select(func.count()).select_from(stage))
    differs = case((content_differs(spec, stage, stored), 1), else_=0)
    matched, changed = connection.execute(
        select(func.count(), func.coalesce(func.sum(differs), 0)).join_from(
            stage, stored, same_key(spec, stage, stored)
        )
    ).one()
    return FileCounts(item.source, rows, rows - matched, matched - changed, changed)


def audit_replacements(connection: Connection, item: Staged, batch: LoadBatch) -> None:
    """One `replace` audit event per changed row, before and after in the file's words."""
    spec, stage = item.spec, item.table
    stored = spec.table.alias("stored")
    prefix = "stored_"
    query = (
        select(stage, *(column.label(f"{prefix}{column.name}") for column in stored.c))
        .join_from(stage, stored, same_key(spec, stage, stored))
        .where(content_differs(spec, stage, stored))
        .order_by(stage.c.line)
        .execution_options(yield_per=_AUDIT_BATCH)
    )
    result = connection.execute(query).mappings()
    for rows in result.partitions(_AUDIT_BATCH):
        connection.execute(
            insert(AuditEvent.__table__),
            [
                {
                    "at": batch.loaded_at,
                    "actor": batch.actor,
                    "action": "replace",
                    "payee_id": row.get("payee_id"),
                    "reason": f"load batch {batch.id}: {item.source} line {row['line']} replaces "
                    f"{spec.noun} {describe_key(spec, row)}",
                    "before": json.dumps(as_file_row(spec, _strip(row, prefix))),
                    "after": json.dumps(as_file_row(spec, row)),
                }
                for row in rows
            ],
        )


def _strip(row, prefix: str) -> dict:
    return {name[len(prefix) :]: value for name, value in row.items() if name.startswith(prefix)}


def write_rows(connection: Connection, item: Staged, counts: FileCounts, *, load_id: int) -> None:
    """Replace the changed rows and insert the new ones (checks have passed)."""
    spec, stage = item.spec, item.table
    target: Table = spec.table
    stored = target.alias("stored")
    if counts.replaced:
        connection.execute(
            target.delete().where(
                exists().where(same_key(spec, stage, target), content_differs(spec, stage, target))
            )
        )
    if not counts.new + counts.replaced:
        return
    names = [column.stored_as for column in spec.columns]
    values = [stage.c[name] for name in names]
    if "load_id" in target.c:
        names.append("load_id")
        values.append(literal(load_id))
    insert_rows = insert(target).from_select(
        names, select(*values).where(~exists().where(same_key(spec, stored, stage)))
    )
    with _secondary_indexes_rebuilt_if(
        connection, target, _worth_rebuilding(connection, target, counts)
    ):
        connection.execute(insert_rows)


def _worth_rebuilding(connection: Connection, target: Table, counts: FileCounts) -> bool:
    """Building an index afresh beats updating it row by row when the load adds at
    least as many rows as the table holds (a first big load, typically)."""
    inserting = counts.new + counts.replaced
    if inserting < _REBUILD_INDEXES_FROM or not target.indexes:
        return False
    return inserting >= connection.scalar(select(func.count()).select_from(target))


@contextmanager
def _secondary_indexes_rebuilt_if(
    connection: Connection, target: Table, rebuild: bool
) -> Iterator[None]:
    """Drop the table's secondary indexes around the block, and build them again after.

    Inside the transaction: other sessions wait for the load (PostgreSQL) or are
    excluded anyway (SQLite), and a failure restores the indexes with the rollback.
    """
    indexes = list(target.indexes) if rebuild else []
    for index in indexes:
        index.drop(connection)
    yield
    for index in indexes:
        index.create(connection)
