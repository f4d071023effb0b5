"""The inputs of one calculation, read in one go from the database.

The engine is a pure function of this snapshot and the plans, which is what lets
the tests compare it with the Fraction reference without a database.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from compengine.storage.models import Account, Assignment, Contract, MonthlyUsage

ACCOUNT_COLUMNS = ["account_id", "name", "parent_id", "segment", "region"]
ASSIGNMENT_COLUMNS = ["account_id", "payee_id", "role", "start", "end", "split"]
CONTRACT_COLUMNS = ["contract_id", "account_id", "signed_on", "commit_monthly_cents", "products"]
USAGE_COLUMNS = ["account_id", "product", "month", "amount_cents"]


@dataclass
class LedgerSnapshot:
    accounts: pd.DataFrame  # ACCOUNT_COLUMNS; None for an empty field
    assignments: pd.DataFrame  # ASSIGNMENT_COLUMNS; dates as datetime.date, split as text
    contracts: pd.DataFrame  # CONTRACT_COLUMNS; products ';'-joined, '' = all
    monthly_usage: pd.DataFrame  # USAGE_COLUMNS; month index, summed cents


def _frame(session: Session, model: type, columns: list[str]) -> pd.DataFrame:
    rows = session.execute(select(*(getattr(model, c) for c in columns))).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=columns, dtype=object)


def _monthly_usage(session: Session, last_month: int | None) -> pd.DataFrame:
    """The aggregate through the driver's own cursor: it is the one big table a run reads,
    and plain tuples into pandas are several times faster than ORM rows."""
    query = select(*(getattr(MonthlyUsage, c) for c in USAGE_COLUMNS))
    if last_month is not None:
        query = query.where(MonthlyUsage.month <= last_month)
    connection = session.connection()
    compiled = query.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True})
    cursor = connection.connection.dbapi_connection.cursor()
    try:
        cursor.execute(str(compiled))
        rows = cursor.fetchall()
    finally:
        cursor.close()
    usage = pd.DataFrame(rows, columns=USAGE_COLUMNS)
    return usage.astype({"month": "int64", "amount_cents": "int64"})


def read_snapshot(session: Session, *, last_month: int | None = None) -> LedgerSnapshot:
    """Everything a run needs; usage is the monthly aggregate, never the raw ledger."""
    usage = _monthly_usage(session, last_month)
    return LedgerSnapshot(
        accounts=_frame(session, Account, ACCOUNT_COLUMNS),
        assignments=_frame(session, Assignment, ASSIGNMENT_COLUMNS),
        contracts=_frame(session, Contract, CONTRACT_COLUMNS),
        monthly_usage=usage,
    )
