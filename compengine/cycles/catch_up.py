"""Held pay paid later, and saying so (spec sections 5 and 8).

A calculated line that was held is paid later by section 5's formula, which subtracts
only what was paid. Adjustments are outside that formula, so the same rule is applied
to them per payee: each run of P carries
    Σ held adjustments before P - Σ catch-up lines paid before P
as one calculated line, which a release later takes back the same way.

Which held amounts a run of P releases: those of periods after the payee's latest
earlier period that was run without a hold on them (that run settled everything
before it). A line that includes them says so, e.g. ``includes 373.33 held in
2027-12, released by this run``.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import func, select
from sqlmodel import Session

from compengine.money import format_cents
from compengine.plan.model import ADJUSTMENT_CATCH_UP, ADJUSTMENT_EARNINGS_CODE
from compengine.results.explain import money
from compengine.results.payouts import PAID_COLUMNS
from compengine.storage.models import Hold, PayoutLine, Period

CATCH_UP = ADJUSTMENT_CATCH_UP
KEY = PAID_COLUMNS[:-1]  # payee_id, plan_id, component_id, contract_id


def _unsettled(session: Session, period: str, held: pd.DataFrame) -> pd.DataFrame:
    """The rows of `held` (payee_id, period, ...) whose period no later run before `period`
    has settled for that payee."""
    if held.empty:
        return held
    runs = list(
        session.execute(
            select(Period.period).where(Period.period < period, Period.last_run_id.is_not(None))
        ).scalars()
    )
    holds = pd.DataFrame(
        [
            tuple(r)
            for r in session.execute(
                select(Hold.payee_id, Hold.period).where(Hold.period < period, Hold.active)
            ).all()
        ],
        columns=["payee_id", "held_period"],
    )
    payees = pd.DataFrame({"payee_id": held["payee_id"].unique()})
    free = payees.merge(pd.DataFrame({"held_period": runs}), how="cross").merge(
        holds.assign(on_hold=True), on=["payee_id", "held_period"], how="left"
    )
    free = free[free["on_hold"].isna()]
    settled = free.groupby("payee_id")["held_period"].max().rename("settled_through")
    held = held.merge(settled, on="payee_id", how="left")
    keep = held["settled_through"].isna() | (held["period"] > held["settled_through"])
    return held[keep.to_numpy()].drop(columns="settled_through")


def held_releases(session: Session, period: str) -> pd.DataFrame:
    """KEY, period, cents of held calculated lines that a run of `period` pays."""
    key = [getattr(PayoutLine, column) for column in KEY]
    rows = session.execute(
        select(*key, PayoutLine.period, func.sum(PayoutLine.amount_cents))
        .where(
            PayoutLine.period < period,
            PayoutLine.kind == "calculated",
            PayoutLine.status == "held",
            PayoutLine.component_id != CATCH_UP,
        )
        .group_by(*key, PayoutLine.period)
    ).all()
    held = pd.DataFrame([tuple(r) for r in rows], columns=[*KEY, "period", "cents"])
    return _unsettled(session, period, held)


def _released_text(items: list[tuple[str, int]]) -> str:
    held = ", ".join(f"{money(cents)} held in {period}" for period, cents in items)
    return f"includes {held}, released by this run; "


def explain_releases(lines: pd.DataFrame, released: pd.DataFrame) -> pd.DataFrame:
    """Prefix each line that pays held amounts with how much, from which period."""
    if released.empty or lines.empty:
        return lines
    found = lines[KEY].reset_index(names="line").merge(released, on=KEY)
    explanations = list(lines["explanation"])
    for line, group in found.sort_values(["line", "period"]).groupby("line"):
        items = [(p, int(c)) for p, c in zip(group["period"], group["cents"], strict=True) if c]
        if not items:
            continue
        explanations[line] = _released_text(items) + explanations[line]
        lines["lineage"].iloc[line]["released"] = [
            {"held_period": p, "amount_cents": c} for p, c in items
        ]
    return lines.assign(explanation=explanations)


def _held_adjustments(session: Session, period: str) -> pd.DataFrame:
    rows = session.execute(
        select(PayoutLine.payee_id, PayoutLine.period, func.sum(PayoutLine.amount_cents))
        .where(
            PayoutLine.period < period,
            PayoutLine.kind == "adjustment",
            PayoutLine.status == "held",
        )
        .group_by(PayoutLine.payee_id, PayoutLine.period)
    ).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=["payee_id", "period", "cents"])


def _sums(session: Session, period: str, *conditions) -> dict[str, int]:
    rows = session.execute(
        select(PayoutLine.payee_id, func.sum(PayoutLine.amount_cents))
        .where(PayoutLine.period < period, *conditions)
        .group_by(PayoutLine.payee_id)
    ).all()
    return {payee: int(total) for payee, total in rows}


def held_adjustment_catch_ups(session: Session, period: str) -> pd.DataFrame:
    """One line per payee whose held adjustments are not yet caught up (or whose caught-up
    adjustments were released since and are taken back), in the run's line columns."""
    held_by_period = _held_adjustments(session, period)
    held = held_by_period.groupby("payee_id")["cents"].sum().to_dict()
    carried = _sums(
        session, period, PayoutLine.component_id == CATCH_UP, PayoutLine.status == "paid"
    )
    releasing = _unsettled(session, period, held_by_period)
    rows = []
    for payee in sorted(set(held) | set(carried)):
        owed, paid = int(held.get(payee, 0)), carried.get(payee, 0)
        if owed == paid:
            continue
        items = [
            (p, int(c))
            for p, c in zip(
                releasing.loc[releasing["payee_id"] == payee, "period"],
                releasing.loc[releasing["payee_id"] == payee, "cents"],
                strict=True,
            )
            if c
        ]
        text = (
            f"adjustments held in earlier periods: held {format_cents(owed, grouping=True)}, "
            f"caught up before {format_cents(paid, grouping=True)}, "
            f"payout {format_cents(owed - paid, grouping=True)}"
        )
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
                "explanation": (_released_text(items) if items else "") + text,
                "earnings_code": ADJUSTMENT_EARNINGS_CODE,
                "earned_as_of_cents": None,  # not earnings: never measured as a true-up
                "role": None,
                "lineage": {
                    "kind": "adjustment_catch_up",
                    "released": [{"held_period": p, "amount_cents": c} for p, c in items],
                    "earned_to_date_cents": owed,
                    "paid_before_cents": paid,
                    "amount_cents": owed - paid,
                },
            }
        )
    return pd.DataFrame(rows)
