"""The inputs of one calculation, read in one go from the database.

The engine is a pure function of this snapshot and the plans, which is what lets
the tests compare it with the Fraction reference without a database.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pcsv
from sqlalchemy import Date, cast, func, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from compengine.months import last_day
from compengine.storage.models import (
    Account,
    Assignment,
    Contract,
    MonthlyUsage,
    UsageEntry,
)

ACCOUNT_COLUMNS = ["account_id", "name", "parent_id", "segment", "region"]
ASSIGNMENT_COLUMNS = ["account_id", "payee_id", "role", "start", "end", "split"]
CONTRACT_COLUMNS = [
    "contract_id",
    "account_id",
    "signed_on",
    "commit_monthly_cents",
    "products",
    "ends_on",
]
_USAGE_SCHEMA = pa.schema(
    [
        ("account_id", pa.string()),
        ("product", pa.string()),
        ("month", pa.int64()),
        ("amount_cents", pa.int64()),
    ]
)
USAGE_COLUMNS = _USAGE_SCHEMA.names
END_MONTH_COLUMNS = ["contract_id", "product", "amount_cents"]


@dataclass
class LedgerSnapshot:
    accounts: pd.DataFrame  # ACCOUNT_COLUMNS; None for an empty field
    assignments: pd.DataFrame  # ASSIGNMENT_COLUMNS; dates as datetime.date, split as text
    contracts: pd.DataFrame  # CONTRACT_COLUMNS; products ';'-joined, '' = all; ends_on or None
    monthly_usage: pd.DataFrame  # USAGE_COLUMNS; month index, summed cents
    # END_MONTH_COLUMNS: for each contract whose ends_on is not the last day of its month
    # (and falls in a month read), the usage of its account dated in that month through
    # ends_on, per product, whether in scope or not: what the monthly aggregate cannot give.
    end_month_usage: pd.DataFrame = field(default_factory=lambda: empty_end_month_usage())


def empty_end_month_usage() -> pd.DataFrame:
    return pd.DataFrame(
        {"contract_id": [], "product": [], "amount_cents": []}, columns=END_MONTH_COLUMNS
    ).astype({"contract_id": object, "product": object, "amount_cents": "int64"})


def _frame(session: Session, model: type, columns: list[str]) -> pd.DataFrame:
    """A table's columns as Python values, through the driver's own cursor (ORM rows cost
    several times more at 100,000s of contracts and assignments), each column passed
    through SQLAlchemy's own result processing (SQLite's dates are text until then)."""
    table = model.__table__
    connection = session.connection()
    sql = str(select(*(table.c[c] for c in columns)).compile(dialect=connection.dialect))
    frame = _fetched(connection, sql, columns, dtype=object)
    for name in columns:
        kind = table.c[name].type.dialect_impl(connection.dialect)
        process = kind.result_processor(connection.dialect, None)
        if process is not None:
            frame[name] = pd.Series([process(v) for v in frame[name]], dtype=object)
    return frame


def _monthly_usage(session: Session, last_month: int | None) -> pd.DataFrame:
    """The aggregate, the one big table a run reads. PostgreSQL sends it through COPY
    (in the session's own transaction) straight into Arrow columns: a Python tuple per
    row costs several times what the server spends. SQLite has no such path that is
    safe here: a second SQLite library in the process (ADBC's) would release this
    connection's file locks when it closes, so its rows come through the driver's own
    cursor."""
    query = select(*(getattr(MonthlyUsage, c) for c in USAGE_COLUMNS))
    if last_month is not None:
        query = query.where(MonthlyUsage.month <= last_month)
    connection = session.connection()
    sql = str(query.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True}))
    if connection.dialect.name == "postgresql":
        usage = _copied(connection, sql).to_pandas()
    else:
        usage = _fetched(connection, sql, USAGE_COLUMNS)
    return usage.astype({"month": "int64", "amount_cents": "int64"})


def _copied(connection: Connection, sql: str) -> pa.Table:
    raw = connection.connection.driver_connection
    data = io.BytesIO()
    with raw.cursor() as cursor, cursor.copy(f"COPY ({sql}) TO STDOUT (FORMAT csv)") as copy:
        for block in copy:
            data.write(block)
    if not data.tell():
        return _USAGE_SCHEMA.empty_table()
    data.seek(0)
    return pcsv.read_csv(
        data,
        read_options=pcsv.ReadOptions(column_names=_USAGE_SCHEMA.names),
        convert_options=pcsv.ConvertOptions(column_types=_USAGE_SCHEMA, strings_can_be_null=False),
    )


FETCH_ROWS = 65_536  # rows held as Python tuples at once


def _fetched(
    connection: Connection, sql: str, columns: list[str], dtype: object = None
) -> pd.DataFrame:
    """The rows through the driver's own cursor, in chunks each made a frame at once: the
    tuples of a whole large table would take several times the memory of its columns
    (and no less time)."""
    cursor = connection.connection.dbapi_connection.cursor()
    chunks = []
    try:
        cursor.execute(sql)
        while rows := cursor.fetchmany(FETCH_ROWS):
            chunks.append(pd.DataFrame(rows, columns=columns, dtype=dtype))
    finally:
        cursor.close()
    if not chunks:
        return pd.DataFrame(columns=columns, dtype=dtype)
    return pd.concat(chunks, ignore_index=True)


def _end_month_usage(session: Session, last_month: int | None) -> pd.DataFrame:
    """The partial end months, in one set-based query over the raw ledger; only contracts
    ending mid-month take part, so it reads a few months of a few accounts."""
    ends = Contract.ends_on
    if session.get_bind().dialect.name == "sqlite":
        month_start = func.date(ends, "start of month")
        mid_month = func.strftime("%d", ends, "+1 day") != "01"
    else:
        month_start = cast(func.date_trunc("month", ends), Date)
        mid_month = func.extract("day", ends + 1) != 1
    query = (
        select(Contract.contract_id, UsageEntry.product, func.sum(UsageEntry.amount_cents))
        .join_from(Contract, UsageEntry, UsageEntry.account_id == Contract.account_id)
        .where(
            ends.is_not(None),
            mid_month,
            UsageEntry.entry_date >= month_start,
            UsageEntry.entry_date <= ends,
        )
        .group_by(Contract.contract_id, UsageEntry.product)
    )
    if last_month is not None:
        query = query.where(ends <= last_day(last_month))
    rows = session.execute(query).all()
    frame = pd.DataFrame([tuple(r) for r in rows], columns=END_MONTH_COLUMNS)
    return frame.astype({"contract_id": object, "product": object, "amount_cents": "int64"})


def read_snapshot(
    session: Session, *, last_month: int | None = None, end_months: bool = True
) -> LedgerSnapshot:
    """Everything a run needs; usage is the monthly aggregate, and the raw ledger only for
    the end months of contracts that end mid-month (not read with `end_months=False`, for
    callers that leave contracts ended through `last_month` aside)."""
    usage = _monthly_usage(session, last_month)
    return LedgerSnapshot(
        accounts=_frame(session, Account, ACCOUNT_COLUMNS),
        assignments=_frame(session, Assignment, ASSIGNMENT_COLUMNS),
        contracts=_frame(session, Contract, CONTRACT_COLUMNS),
        monthly_usage=usage,
        end_month_usage=(
            _end_month_usage(session, last_month) if end_months else empty_end_month_usage()
        ),
    )
