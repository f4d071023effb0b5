"""first_purchase: the payout from month F on, taken back for good on churn (spec section 4)."""

from __future__ import annotations

import numpy as np

from compengine.calc.earnings import ComponentEarnings, assemble, differences, governing_version
from compengine.calc.exact import big
from compengine.calc.usage import ContractGrid
from compengine.calc.versions import ComponentPlan
from compengine.plan.model import Clawback, FirstPurchase


def clawback_month(usage: np.ndarray, first: np.ndarray, rule: Clawback) -> np.ndarray:
    """Grid month in which a run of `churn_months` months with U <= 0 inside
    F+1 .. F+within_months completes (the grid width when there is none)."""
    rows, months = usage.shape
    idle = np.zeros((rows, months + 1), dtype=np.int64)
    np.cumsum(usage <= 0, axis=1, out=idle[:, 1:])
    t = np.arange(months)
    start = t + 1 - rule.churn_months
    idle_run = idle[:, t + 1] - idle[:, np.clip(start, 0, None)]
    completes = (
        (start[None, :] >= 0)
        & (idle_run == rule.churn_months)
        & (t[None, :] >= first[:, None] + rule.churn_months)
        & (t[None, :] <= first[:, None] + rule.within_months)
    )
    return np.where(completes.any(axis=1), completes.argmax(axis=1), months)


def first_purchase(plan: ComponentPlan, grid: ContractGrid) -> ComponentEarnings:
    governing = governing_version(plan, grid)
    t = np.arange(grid.months)[None, :]
    pieces = []
    payout = np.zeros(grid.size, dtype=object)
    payout_den = np.ones(grid.size, dtype=object)
    clawed = np.full(grid.size, grid.months)
    for index, part in enumerate(plan.parts):
        rows = np.flatnonzero(governing == index)
        if not isinstance(part, FirstPurchase) or rows.size == 0:
            continue
        first = grid.first_purchase[rows]
        if part.flat_cents is not None:
            amount, den = np.full(rows.size, part.flat_cents, dtype=object), 1
        else:
            assert part.rate is not None
            amount, den = big(grid.commit_cents[rows]) * part.rate.numerator, part.rate.denominator
        payout[rows], payout_den[rows] = amount, den
        earned = np.where(t >= first[:, None], amount[:, None], 0).astype(object)
        if part.clawback is not None:
            clawed[rows] = clawback_month(grid.usage[rows], first, part.clawback)
            earned[t >= clawed[rows][:, None]] = 0
        pieces.append((rows, earned, den))

    earned, den = assemble(grid, pieces)
    delta = differences(earned)
    applies = (governing >= 0)[:, None] & (t >= grid.first_purchase[:, None])
    return ComponentEarnings(
        delta=delta,
        den=den,
        version=np.where(applies, governing[:, None], -1),
        credit_month=np.where(delta < 0, grid.first_purchase[:, None], t),
        detail={"payout": payout, "payout_den": payout_den, "clawed": clawed},
    )
