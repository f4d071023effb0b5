"""Keeping `monthly_usage` equal to usage_entry summed by (account, product, month),
and never letting one of its sums leave the money range.

The engine reads only this aggregate, so every load changes it by exactly what it
changes in the ledger. For each staged row s whose key matches stored row t:

    new row (no t):   + s
    unchanged row:    + s - t = 0
    replaced row:     + s - t   (moving its date, product or account moves its amount)

so the change is (sum of all staged rows) - (sum of the stored rows the load matches
by key). The first sum is built chunk by chunk while reading and handed to the
temporary table usage_delta whenever it holds `held_groups` (account, product, month)
groups, so memory stays bounded however many groups a load touches; the second is
one SQL join, which is empty when every row is new. One GROUP BY over usage_delta,
joined to the stored totals, gives each touched group's new total (usage_new), which
is checked and then written.

A sum of many 13-digit amounts can pass int64, where pyarrow wraps silently, SQLite's
SUM raises and PostgreSQL's turns numeric. So every amount is summed in two parts
that cannot overflow at any realistic row count: high = amount >> 24 and
low = amount & (2**24 - 1), amount = high * 2**24 + low. A group's new total (the
stored one plus the change) is checked against the 13-digit range before anything
is written (spec section 1: sums are never allowed to wrap).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
from sqlalchemy import (
    BigInteger,
    Column,
    Integer,
    String,
    Table,
    and_,
    case,
    cast,
    exists,
    extract,
    func,
    insert,
    literal_column,
    or_,
    select,
    true,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from compengine.errors import Problem
from compengine.ledger import staging
from compengine.ledger.checks import Staged
from compengine.ledger.problems import SHOWN, ProblemLog
from compengine.ledger.rows import same_key
from compengine.ledger.validate import StagedChunk
from compengine.money import MONEY_LIMIT_CENTS, MONEY_WHOLE_DIGITS, format_cents
from compengine.months import format_period
from compengine.storage import bulk
from compengine.storage.models import MonthlyUsage, UsageEntry

MONTH = "month"
GROUP = ("account_id", "product", MONTH)
SHIFT = 24
LOW_MASK = (1 << SHIFT) - 1
# |high| of a total at or beyond this is far out of range; below it high * 2**24 fits.
_HIGH_BOUND = 1 << 38
ENTRIES_LIMIT = 2**31 - 1  # monthly_usage.entries is a 32-bit integer on PostgreSQL
SCHEMA = pa.schema(
    [
        ("account_id", pa.string()),
        ("product", pa.string()),
        (MONTH, pa.int64()),
        ("high", pa.int64()),
        ("low", pa.int64()),
        ("entries", pa.int64()),
    ]
)
_SHIFT_SQL = literal_column(str(SHIFT))  # inline: PostgreSQL has only bigint >> integer
_MASK_SQL = literal_column(str(LOW_MASK))
_PARTIALS_BEFORE_MERGE = 32


def _groups_table(name: str) -> Table:
    """A temporary table of sums in high and low parts by (account_id, product, month)."""
    return staging.temporary_table(
        name,
        Column("account_id", String),
        Column("product", String),
        Column(MONTH, Integer),
        Column("high", BigInteger),
        Column("low", BigInteger),
        Column("entries", BigInteger),
    )


_USAGE_DELTA = _groups_table("usage_delta")  # the load's change, in several rows per group
_USAGE_NEW = _groups_table("usage_new")  # one row per touched group: its total after the load


class MonthlyTotals:
    """Running sums (in high and low parts) and counts of staged usage rows by
    (account_id, product, month), held in memory until the chunks' partial sums reach
    `held_groups` rows."""

    def __init__(self, held_groups: int) -> None:
        self._held_groups = held_groups
        self._partials: list[pa.Table] = []
        self._held = 0
        self.hand_overs = 0

    def add(self, chunk: StagedChunk) -> None:
        """Add the chunk's accepted rows (none, for a file without a usage month)."""
        if chunk.month is None:
            return
        accepted = pa.array(chunk.ok)
        cents = chunk.rows["amount_cents"].filter(accepted).fill_null(0).to_numpy()
        rows = pa.table(
            {
                "account_id": chunk.rows["account_id"].filter(accepted),
                "product": chunk.rows["product"].filter(accepted),
                MONTH: chunk.month.filter(accepted),
                "high": np.right_shift(cents, SHIFT),
                "low": np.bitwise_and(cents, LOW_MASK),
                "entries": np.ones(len(cents), dtype=np.int64),
            }
        )
        partial = _grouped(rows)
        self._partials.append(partial)
        self._held += partial.num_rows
        if len(self._partials) >= _PARTIALS_BEFORE_MERGE:
            self._partials = [self._merged()]
            self._held = self._partials[0].num_rows

    @property
    def full(self) -> bool:
        """Whether the held sums must go to the database before the next chunk."""
        return self._held >= self._held_groups

    def hand_over(self, connection: Connection) -> None:
        """Append the held sums to usage_delta and start again from nothing."""
        if not self.hand_overs:
            staging.create(connection, _USAGE_DELTA)
        self.hand_overs += 1
        # in key order: when it is the only hand-over, monthly_usage's upsert follows it
        in_key_order = self._merged().sort_by([(name, "ascending") for name in GROUP])
        bulk.append(connection, _USAGE_DELTA, in_key_order)
        self._partials, self._held = [], 0

    def _merged(self) -> pa.Table:
        merged = pa.concat_tables(self._partials) if self._partials else SCHEMA.empty_table()
        return _grouped(merged)


def _grouped(rows: pa.Table) -> pa.Table:
    grouped = rows.group_by(list(GROUP), use_threads=False).aggregate(
        [("high", "sum"), ("low", "sum"), ("entries", "sum")]
    )
    return pa.table(
        [
            grouped["account_id"],
            grouped["product"],
            grouped[MONTH].cast(pa.int64()),
            grouped["high_sum"],
            grouped["low_sum"],
            grouped["entries_sum"],
        ],
        schema=SCHEMA,
    )


def month_index(column):
    """SQL for the month index (year * 12 + month - 1) of a date column."""
    return cast(extract("year", column), Integer) * 12 + cast(extract("month", column), Integer) - 1


def stage_monthly_totals(connection: Connection, usage: Staged, totals: MonthlyTotals) -> None:
    """usage_new: per touched group, its total after the load in high and low parts
    (0 <= low < 2**24) and its number of entries. Call before any write."""
    totals.hand_over(connection)
    delta = _USAGE_DELTA
    stored, stage = UsageEntry.__table__, usage.table
    month = month_index(stored.c.entry_date)
    negated = -stored.c.amount_cents
    connection.execute(
        insert(delta).from_select(
            list(delta.c.keys()),
            select(
                stored.c.account_id,
                stored.c.product,
                month,
                func.sum(negated.op(">>")(_SHIFT_SQL)),
                func.sum(negated.op("&")(_MASK_SQL)),
                -func.count(),
            )
            .join_from(stored, stage, same_key(usage.spec, stored, stage))
            .group_by(stored.c.account_id, stored.c.product, month),
        )
    )
    replaces = exists().where(delta.c.entries < 0)  # the negated stored rows' groups
    once = totals.hand_overs == 1 and not connection.scalar(select(replaces))
    change = delta if once else _summed(delta)
    monthly = MonthlyUsage.__table__
    before = monthly.c.amount_cents
    high = change.c.high + func.coalesce(before.op(">>")(_SHIFT_SQL), 0)
    low = change.c.low + func.coalesce(before.op("&")(_MASK_SQL), 0)
    staging.create(connection, _USAGE_NEW)
    connection.execute(
        insert(_USAGE_NEW).from_select(
            list(_USAGE_NEW.c.keys()),
            select(
                change.c.account_id,
                change.c.product,
                change.c.month,
                high + low.op(">>")(_SHIFT_SQL),
                low.op("&")(_MASK_SQL),
                change.c.entries + func.coalesce(monthly.c.entries, 0),
            ).join_from(
                change,
                monthly,
                and_(*(monthly.c[name] == change.c[name] for name in GROUP)),
                isouter=True,
            ),
        )
    )
    staging.drop(connection, delta)


def _summed(delta: Table):
    """usage_delta with one row per group."""
    return (
        select(
            delta.c.account_id,
            delta.c.product,
            delta.c.month,
            cast(func.sum(delta.c.high), BigInteger).label("high"),
            cast(func.sum(delta.c.low), BigInteger).label("low"),
            cast(func.sum(delta.c.entries), BigInteger).label("entries"),
        )
        .group_by(delta.c.account_id, delta.c.product, delta.c.month)
        .subquery()
    )


def check_monthly_totals(connection: Connection, usage: Staged, problems: ProblemLog) -> None:
    """Refuse the load when a month's total of an account and product would leave the
    13-digit money range (or its count the entries column)."""
    totals = _USAGE_NEW
    amount = totals.c.high * (1 << SHIFT) + totals.c.low
    outside = case(
        (func.abs(totals.c.high) >= _HIGH_BOUND, true()),
        else_=or_(amount <= -MONEY_LIMIT_CENTS, amount >= MONEY_LIMIT_CENTS),
    )
    bad = select(totals).where(or_(outside, totals.c.entries > ENTRIES_LIMIT)).subquery()
    stage = usage.table
    first_line = (
        select(func.min(stage.c.line))
        .where(
            stage.c.account_id == bad.c.account_id,
            stage.c.product == bad.c.product,
            month_index(stage.c.entry_date) == bad.c.month,
        )
        .scalar_subquery()
    )
    count = connection.scalar(select(func.count()).select_from(bad))
    if not count:
        return
    rows = connection.execute(
        select(bad, first_line.label("line"))
        .order_by(bad.c.account_id, bad.c.product, bad.c.month)
        .limit(SHOWN)
    ).mappings()
    problems.add_counted(
        "monthly total",
        int(count),
        [
            Problem(
                usage.source,
                row["line"],
                "amount",
                f"account {row['account_id']!r}, product {row['product']!r}, month "
                f"{format_period(row[MONTH])}: {_too_big(row)}",
            )
            for row in rows
        ],
    )


def _too_big(row) -> str:
    total = int(row["high"]) * (1 << SHIFT) + int(row["low"])
    if -MONEY_LIMIT_CENTS < total < MONEY_LIMIT_CENTS:
        return f"{int(row['entries']):,} entries in one month are more than {ENTRIES_LIMIT:,}"
    return (
        f"the month's usage would total {format_cents(total, grouping=True)}, "
        f"more than {MONEY_WHOLE_DIGITS} digits before the point"
    )


def apply_monthly_totals(connection: Connection) -> None:
    """Write the checked totals of usage_new into monthly_usage."""
    totals = _USAGE_NEW
    monthly = MonthlyUsage.__table__
    change = select(
        totals.c.account_id,
        totals.c.product,
        totals.c.month,
        cast(totals.c.high * (1 << SHIFT) + totals.c.low, BigInteger),
        cast(totals.c.entries, Integer),
    ).where(true())  # SQLite needs a WHERE before ON CONFLICT in INSERT ... SELECT
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    upsert = dialect.insert(monthly).from_select(
        ["account_id", "product", MONTH, "amount_cents", "entries"], change
    )
    connection.execute(
        upsert.on_conflict_do_update(
            index_elements=list(GROUP),
            set_={
                "amount_cents": upsert.excluded.amount_cents,
                "entries": upsert.excluded.entries,
            },
        )
    )
    connection.execute(monthly.delete().where(monthly.c.entries == 0))
    staging.drop(connection, _USAGE_NEW)
