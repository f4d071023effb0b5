"""Keeping `monthly_usage` equal to usage_entry summed by (account, product, month).

The engine reads only this aggregate, so every load changes it by exactly what it
changes in the ledger. For each staged row s whose key matches stored row t:

    new row (no t):   + s
    unchanged row:    + s - t = 0
    replaced row:     + s - t   (moving its date, product or account moves its amount)

so the change is (sum of all staged rows) - (sum of the stored rows the load matches
by key). The first sum is built chunk by chunk while reading, in memory bounded by
the number of (account, product, month) groups rather than rows; the second is one
SQL join, which is empty when every row is new.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import (
    BigInteger,
    Column,
    Integer,
    String,
    cast,
    extract,
    func,
    insert,
    or_,
    select,
    true,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from compengine.ledger import staging
from compengine.ledger.checks import Staged
from compengine.ledger.rows import same_key
from compengine.ledger.validate import StagedChunk
from compengine.storage.models import MonthlyUsage, UsageEntry

MONTH = "month"
GROUP = ("account_id", "product", MONTH)
SCHEMA = pa.schema(
    [
        ("account_id", pa.string()),
        ("product", pa.string()),
        (MONTH, pa.int64()),
        ("amount_cents", pa.int64()),
        ("entries", pa.int64()),
    ]
)
_PARTIALS_BEFORE_MERGE = 32
_USAGE_DELTA = staging.temporary_table(
    "usage_delta",
    Column("account_id", String),
    Column("product", String),
    Column(MONTH, Integer),
    Column("amount_cents", BigInteger),
    Column("entries", BigInteger),
)


class MonthlyTotals:
    """Running sums and counts of staged usage rows by (account_id, product, month)."""

    def __init__(self) -> None:
        self._partials: list[pa.Table] = []

    def add(self, chunk: StagedChunk) -> None:
        accepted = pa.array(chunk.ok)
        rows = pa.table(
            {
                "account_id": chunk.rows["account_id"].filter(accepted),
                "product": chunk.rows["product"].filter(accepted),
                MONTH: chunk.month.filter(accepted),
                "amount_cents": chunk.rows["amount_cents"].filter(accepted),
            }
        )
        grouped = rows.group_by(list(GROUP), use_threads=False).aggregate(
            [("amount_cents", "sum"), ("amount_cents", "count")]
        )
        self._partials.append(_totals(grouped, "amount_cents_sum", "amount_cents_count"))
        if len(self._partials) >= _PARTIALS_BEFORE_MERGE:
            self._partials = [self.table()]

    def table(self) -> pa.Table:
        merged = pa.concat_tables(self._partials) if self._partials else SCHEMA.empty_table()
        grouped = merged.group_by(list(GROUP), use_threads=False).aggregate(
            [("amount_cents", "sum"), ("entries", "sum")]
        )
        return _totals(grouped, "amount_cents_sum", "entries_sum")


def _totals(grouped: pa.Table, amount: str, entries: str) -> pa.Table:
    return pa.table(
        [
            grouped["account_id"],
            grouped["product"],
            pc.cast(grouped[MONTH], pa.int64()),
            grouped[amount],
            grouped[entries],
        ],
        schema=SCHEMA,
    )


def month_index(column):
    """SQL for the month index (year * 12 + month - 1) of a date column."""
    return cast(extract("year", column), Integer) * 12 + cast(extract("month", column), Integer) - 1


def update_monthly_usage(connection: Connection, usage: Staged, totals: MonthlyTotals) -> None:
    """Add this load's change to monthly_usage; call before the usage rows are written."""
    delta = _USAGE_DELTA
    staging.create(connection, delta)
    staging.append(connection, delta, totals.table())
    stored, stage = UsageEntry.__table__, usage.table
    month = month_index(stored.c.entry_date)
    connection.execute(
        insert(delta).from_select(
            list(delta.c.keys()),
            select(
                stored.c.account_id,
                stored.c.product,
                month,
                -func.sum(stored.c.amount_cents),
                -func.count(),
            )
            .join_from(stored, stage, same_key(usage.spec, stored, stage))
            .group_by(stored.c.account_id, stored.c.product, month),
        )
    )
    amount, entries = func.sum(delta.c.amount_cents), func.sum(delta.c.entries)
    change = (
        select(delta.c.account_id, delta.c.product, delta.c.month, amount, entries)
        .where(true())  # SQLite needs a WHERE before ON CONFLICT in INSERT ... SELECT
        .group_by(delta.c.account_id, delta.c.product, delta.c.month)
        .having(or_(amount != 0, entries != 0))
    )
    monthly = MonthlyUsage.__table__
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    upsert = dialect.insert(monthly).from_select(list(delta.c.keys()), change)
    connection.execute(
        upsert.on_conflict_do_update(
            index_elements=list(GROUP),
            set_={
                "amount_cents": monthly.c.amount_cents + upsert.excluded.amount_cents,
                "entries": monthly.c.entries + upsert.excluded.entries,
            },
        )
    )
    connection.execute(monthly.delete().where(monthly.c.entries == 0))
    staging.drop(connection, delta)
