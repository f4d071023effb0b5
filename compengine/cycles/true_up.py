"""True-ups: telling late changes to locked months apart from new earnings (spec section 8).

A line of period P is a true-up when the payee's earnings through the latest locked
month L, as the data stands now, differ from what was last known about them: the
value recorded on the latest line of a period between L and P (each line stores its
`locked_earned_cents`), or else what was settled when L was run. Measuring against
the latest record labels a change once, in the next period that is run.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import func, select
from sqlmodel import Session

from compengine.money import format_cents
from compengine.results.payouts import PAID_COLUMNS
from compengine.storage.models import PayoutLine

KEY = PAID_COLUMNS[:-1]  # payee_id, plan_id, component_id, contract_id


def _settled_at_lock(session: Session, locked: str) -> pd.DataFrame:
    """round(earned to date) as it stood when `locked` was run, per key: what was paid
    before it plus its own lines, paid or held (section 5's formula makes them equal)."""
    key = [getattr(PayoutLine, column) for column in KEY]
    counted = (PayoutLine.period < locked) & (PayoutLine.status == "paid") | (
        PayoutLine.period == locked
    )
    rows = session.execute(
        select(*key, func.sum(PayoutLine.amount_cents))
        .where(PayoutLine.kind == "calculated", PayoutLine.period <= locked, counted)
        .group_by(*key)
    ).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=[*KEY, "baseline_cents"])


def _known_since_lock(session: Session, locked: str, period: str) -> pd.DataFrame:
    """Per key, the earnings through `locked` recorded by the latest line after it."""
    columns = [getattr(PayoutLine, column) for column in KEY]
    rows = session.execute(
        select(*columns, PayoutLine.locked_earned_cents)
        .where(
            PayoutLine.kind == "calculated",
            PayoutLine.period > locked,
            PayoutLine.period < period,
            PayoutLine.locked_through == locked,
        )
        .order_by(PayoutLine.period)
    ).all()
    frame = pd.DataFrame([tuple(r) for r in rows], columns=[*KEY, "baseline_cents"])
    return frame.drop_duplicates(KEY, keep="last")


def true_up_baseline(session: Session, locked: str, period: str) -> pd.DataFrame:
    settled = _settled_at_lock(session, locked)
    known = _known_since_lock(session, locked, period)
    return pd.concat([settled, known]).drop_duplicates(KEY, keep="last")


def explain_true_ups(lines: pd.DataFrame, baseline: pd.DataFrame, locked: str) -> pd.DataFrame:
    """Prefix the lines whose earnings through the locked month changed since last known."""
    merged = lines.merge(baseline, on=KEY, how="left")
    change = merged["earned_as_of_cents"] - merged["baseline_cents"].fillna(0).astype("int64")
    prefix = [
        f"true-up: earned to date changed by {format_cents(int(c), grouping=True)} "
        f"after {locked} was locked; "
        if c
        else ""
        for c in change
    ]
    return lines.assign(
        explanation=[p + e for p, e in zip(prefix, lines["explanation"], strict=True)]
    )
