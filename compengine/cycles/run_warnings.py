"""Run warnings about the period as a whole (spec section 8): things a run goes on
despite, but that ops must see before approving.

- no usage entry dated in P: most often P's usage is not loaded yet, and the run then
  treats P as a month without usage (clawbacks may complete, sustain months earn 0);
- the period's total is negative, or a payee's total for P is (adjustments included):
  more is taken back than paid.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import func, select
from sqlmodel import Session

from compengine.calc.snapshot import LedgerSnapshot
from compengine.money import format_cents
from compengine.months import parse_period
from compengine.storage.models import PayoutLine


def _adjustments(session: Session, period: str) -> pd.Series:
    rows = session.execute(
        select(PayoutLine.payee_id, func.sum(PayoutLine.amount_cents))
        .where(PayoutLine.period == period, PayoutLine.kind == "adjustment")
        .group_by(PayoutLine.payee_id)
    ).all()
    return pd.Series({payee: int(cents) for payee, cents in rows}, dtype="int64")


def period_warnings(
    session: Session, period: str, snapshot: LedgerSnapshot, lines: pd.DataFrame
) -> list[str]:
    warnings = []
    month = parse_period(period)
    if not (snapshot.monthly_usage["month"] == month).any():
        warnings.append(
            f"no usage entry is dated in {period}: if its usage is not loaded yet, load it and "
            f"run again (this run treats {period} as a month without usage: sustain months earn "
            "nothing and clawbacks may complete)"
        )
    calculated = lines.groupby("payee_id")["amount_cents"].sum().astype("int64")
    totals = calculated.add(_adjustments(session, period), fill_value=0).astype("int64")
    total = int(totals.sum())
    if total < 0:
        warnings.append(
            f"the total of {period} is negative: {format_cents(total, grouping=True)} "
            "(more is taken back than paid)"
        )
    for payee, cents in totals[totals < 0].sort_index().items():
        warnings.append(
            f"payee {payee}'s total for {period} is negative: "
            f"{format_cents(int(cents), grouping=True)}"
        )
    return warnings
