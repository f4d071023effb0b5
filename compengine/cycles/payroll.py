"""What payroll books for a locked period: one row per payee and earnings code (spec
section 10).

Paid lines and adjustments count, held lines do not (a hold is paid later as a
catch-up). A line's code is the one the run froze on it; lines written before codes
existed fall back to their component id, adjustments and their held catch-ups to
`adjustment`. The rows are summed by the database (GROUP BY), not line by line, and
sorted here by code point so that SQLite and PostgreSQL give the same bytes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import case, func, or_, select
from sqlmodel import Session

from compengine.cycles.periods import LOCKED, get_period
from compengine.errors import UserError
from compengine.money import format_cents
from compengine.plan.model import ADJUSTMENT_CATCH_UP, ADJUSTMENT_EARNINGS_CODE
from compengine.safe_csv import csv_text
from compengine.storage.models import Payee, PayoutLine

PAYROLL_COLUMNS = ["payee_id", "name", "email", "earnings_code", "amount"]


@dataclass(frozen=True)
class PayrollRow:
    payee_id: str
    name: str
    email: str | None
    earnings_code: str
    amount_cents: int


def require_locked(session: Session, period: str) -> None:
    """Payroll pulls only locked periods: a period that can still change is refused."""
    state = get_period(session, period).state
    if state != LOCKED:
        raise UserError.single(
            f"period {period} is {state}: payroll pulls only locked periods "
            f"(compengine lock --period {period} once it is approved)"
        )


def _line_code():
    """The stored code, else what it would have been: `adjustment` for adjustments and
    their catch-ups, the component id for everything else."""
    is_adjustment = or_(
        PayoutLine.kind == "adjustment", PayoutLine.component_id == ADJUSTMENT_CATCH_UP
    )
    fallback = case((is_adjustment, ADJUSTMENT_EARNINGS_CODE), else_=PayoutLine.component_id)
    return func.coalesce(PayoutLine.earnings_code, fallback)


def payroll_rows(session: Session, period: str) -> list[PayrollRow]:
    """The period's pay per payee and earnings code; a UserError unless it is locked."""
    require_locked(session, period)
    lines = (
        select(PayoutLine.payee_id, _line_code().label("code"), PayoutLine.amount_cents)
        .where(PayoutLine.period == period, PayoutLine.status == "paid")
        .subquery()
    )
    query = (
        select(
            lines.c.payee_id, Payee.name, Payee.email, lines.c.code, func.sum(lines.c.amount_cents)
        )
        .join(Payee, Payee.payee_id == lines.c.payee_id, isouter=True)
        .group_by(lines.c.payee_id, Payee.name, Payee.email, lines.c.code)
    )
    rows = [
        PayrollRow(payee_id, name or "", email, code, int(total))
        for payee_id, name, email, code, total in session.execute(query)
    ]
    return sorted(rows, key=lambda row: (row.payee_id, row.earnings_code))


def payroll_record(row: PayrollRow) -> dict[str, str | None]:
    """A row with its amount as an exact two-decimal string (JSON, tables, CSV)."""
    return {
        "payee_id": row.payee_id,
        "name": row.name,
        "email": row.email,
        "earnings_code": row.earnings_code,
        "amount": format_cents(row.amount_cents),
    }


def payroll_csv(rows: Iterable[PayrollRow]) -> str:
    """The rows as CSV (PAYROLL_COLUMNS), safe to open in a spreadsheet: the text an
    export stores and serves byte for byte."""
    return csv_text([payroll_record(row) for row in rows], PAYROLL_COLUMNS)
