"""Reading a period's recorded payout lines, as payroll, reps and ops see them."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session

from compengine.money import format_cents
from compengine.storage.models import PayoutLine

PAYOUT_COLUMNS = [
    "period",
    "payee_id",
    "plan_id",
    "plan_version",
    "component_id",
    "contract_id",
    "account_id",
    "earned_to_date",
    "paid_before",
    "amount",
    "explanation",
    "status",
]


# The order of `payouts` and of every CSV of lines: payee, then calculated lines before
# adjustments, then plan, component, contract.
LINE_ORDER = (
    PayoutLine.payee_id,
    PayoutLine.kind,
    PayoutLine.plan_id,
    PayoutLine.component_id,
    PayoutLine.contract_id,
    PayoutLine.id,
)


def period_lines(session: Session, period: str, payee_id: str | None = None) -> list[PayoutLine]:
    query = select(PayoutLine).where(PayoutLine.period == period)
    if payee_id is not None:
        query = query.where(PayoutLine.payee_id == payee_id)
    query = query.order_by(*LINE_ORDER)
    return list(session.execute(query).scalars())


def line_record(line: PayoutLine) -> dict[str, str]:
    """A line with amounts as exact two-decimal strings (spec section 6)."""
    return {
        "period": line.period,
        "payee_id": line.payee_id,
        "plan_id": line.plan_id,
        "plan_version": "" if line.plan_version is None else str(line.plan_version),
        "component_id": line.component_id,
        "contract_id": line.contract_id or "",
        "account_id": line.account_id or "",
        "earned_to_date": format_cents(line.earned_to_date_cents),
        "paid_before": format_cents(line.paid_before_cents),
        "amount": format_cents(line.amount_cents),
        "status": line.status,
        "explanation": line.explanation,
    }


def line_json(line: PayoutLine) -> dict[str, object]:
    """The same keys for JSON: amounts stay exact strings, the version is a number, and
    what an adjustment lacks is null rather than empty text."""
    return {
        **line_record(line),
        "plan_version": line.plan_version,
        "contract_id": line.contract_id,
        "account_id": line.account_id,
    }
