"""Held adjustments catch up like held calculated lines (spec section 8).

A calculated line that was held is paid later by section 5's formula, which subtracts
only what was paid. Adjustments are outside that formula, so the same rule is applied
to them per payee: each run of P carries
    Σ held adjustments before P - Σ catch-up lines paid before P
as one calculated line, which a release later takes back the same way.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import func, select
from sqlmodel import Session

from compengine.money import format_cents
from compengine.plan.model import ADJUSTMENT_CATCH_UP
from compengine.storage.models import PayoutLine

CATCH_UP = ADJUSTMENT_CATCH_UP


def _sums(session: Session, period: str, *conditions) -> dict[str, int]:
    rows = session.execute(
        select(PayoutLine.payee_id, func.sum(PayoutLine.amount_cents))
        .where(PayoutLine.period < period, *conditions)
        .group_by(PayoutLine.payee_id)
    ).all()
    return {payee: int(total) for payee, total in rows}


def held_adjustment_catch_ups(session: Session, period: str) -> pd.DataFrame:
    held = _sums(session, period, PayoutLine.kind == "adjustment", PayoutLine.status == "held")
    carried = _sums(
        session, period, PayoutLine.component_id == CATCH_UP, PayoutLine.status == "paid"
    )
    rows = []
    for payee in sorted(set(held) | set(carried)):
        owed, paid = held.get(payee, 0), carried.get(payee, 0)
        if owed != paid:
            rows.append(
                {
                    "payee_id": payee,
                    "plan_id": "",
                    "plan_version": None,
                    "component_id": CATCH_UP,
                    "component_type": "adjustment",
                    "contract_id": None,
                    "account_id": None,
                    "earned_to_date_cents": owed,
                    "paid_before_cents": paid,
                    "amount_cents": owed - paid,
                    "explanation": (
                        f"catch-up of adjustments held in earlier periods: held "
                        f"{format_cents(owed, grouping=True)}, caught up before "
                        f"{format_cents(paid, grouping=True)}, payout "
                        f"{format_cents(owed - paid, grouping=True)}"
                    ),
                }
            )
    return pd.DataFrame(rows)
