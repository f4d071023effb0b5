"""ramp_realization: earnings on realized usage against the cumulative ramp target.

For window month k: TC_k = commit x (curve(1) + ... + curve(k)), R_k = usage of
window months 1..k, A_k = R_k / TC_k; E_k by flat rate, whole tiers or marginal
tiers, capped, never negative; a bonus from the window's last month when A_W is
high enough (spec section 4). All in integers: every quantity is scaled by the
curve and tier denominators, so comparisons and slices are exact.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from compengine.calc.earnings import ComponentEarnings, assemble, differences, governing_version
from compengine.calc.exact import big, clamp, common_denominator
from compengine.calc.usage import ContractGrid
from compengine.calc.versions import ComponentPlan
from compengine.plan.model import RampRealization


def cumulative_curve(part: RampRealization, window: int) -> list[Fraction]:
    """curve(1) + ... + curve(k) for k = 0..W."""
    if part.curve == "linear":
        steps = [Fraction(k, window) for k in range(1, window + 1)]
    elif part.curve == "flat":
        steps = [Fraction(1)] * window
    else:
        steps = list(part.curve)
    totals = [Fraction(0)]
    for step in steps:
        totals.append(totals[-1] + step)
    return totals


def progress(
    part: RampRealization, window: int, grid: ContractGrid, rows: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """(k, R_k, TC_k numerators, their denominator) for `rows` in every grid month.

    k is the window month of each cell (0 before F, W from the window's end on); R_k
    is in cents, TC_k in cents over the denominator. Shared by the calculator and the
    statements' ramp charts, so that a chart shows exactly the numbers that were paid.
    """
    t = np.arange(grid.months)[None, :]
    first = grid.first_purchase[rows]
    k = np.clip(t - first[:, None] + 1, 0, window)
    cumulative = grid.cumulative[rows]
    row_index = np.arange(rows.size)[:, None]
    realized = big(
        cumulative[row_index, first[:, None] + k] - cumulative[row_index, first[:, None]]
    )
    curve, curve_den = common_denominator(cumulative_curve(part, window))
    target = big(grid.commit_cents[rows])[:, None] * np.array(curve, dtype=object)[k]
    return k, realized, target, curve_den


def _earnings(part: RampRealization, realized: np.ndarray, target: np.ndarray, target_den: int):
    """E numerators and denominator before cap and bonus.

    realized: R_k in cents; target: TC_k numerators over target_den (cents).
    """
    if part.tiers is None:
        assert part.rate is not None
        return np.maximum(realized, 0) * part.rate.numerator, part.rate.denominator

    starts, start_den = common_denominator(t.start for t in part.tiers.rates)
    rates, rate_den = common_denominator(t.rate for t in part.tiers.rates)
    scale = start_den * target_den  # compare R against from_j x TC in these units
    scaled = realized * scale
    bounds = [target * start for start in starts]  # from_j x TC_k, scaled

    if part.tiers.mode == "whole":
        level = sum((bound <= scaled).astype(np.int64) for bound in bounds) - 1
        rate = np.where(level >= 0, np.array(rates, dtype=object)[np.maximum(level, 0)], 0)
        return rate * np.maximum(realized, 0), rate_den

    total = np.zeros(realized.shape, dtype=object)
    for j, (bound, rate_num) in enumerate(zip(bounds, rates, strict=True)):
        above = np.maximum(scaled - bound, 0)
        width = bounds[j + 1] - bound if j + 1 < len(bounds) else None
        total = total + rate_num * (above if width is None else clamp(above, 0, width))
    return total, rate_den * scale


def window_earnings(
    part: RampRealization,
    realized: np.ndarray,
    target: np.ndarray,
    target_den: int,
    final: np.ndarray,
    unit: int = 1,
) -> tuple[np.ndarray, int, np.ndarray, np.ndarray]:
    """E_k as (numerators, denominator in cents, capped?, bonus?): the tiers, the cap, and
    the bonus where `final` (k = W) and A_W is high enough.

    realized: R_k in 1/`unit` cents; target: TC_k numerators over target_den, in the same
    units. A unit above 1 lets R_k be a fraction of a cent (stall alerts price R_W = TC_W),
    which the tiers allow because E is proportional to (R_k, TC_k) taken together.
    """
    earned, den = _earnings(part, realized, target, target_den)
    den *= unit
    capped = np.zeros(earned.shape, bool)
    if part.cap_cents is not None:
        capped = earned > part.cap_cents * den
        earned = np.minimum(earned, part.cap_cents * den)
    bonus = np.zeros(earned.shape, bool)
    if part.bonus is not None:
        goal = part.bonus.attainment_at_least
        # A_W >= goal  <=>  R_W * target_den * goal_den >= goal_num * TC_W * target_den
        bonus = final & (realized * target_den * goal.denominator >= goal.numerator * target)
        # bool x Python int keeps the bonus exact however large den is
        earned = earned + bonus.astype(object) * (part.bonus.amount_cents * den)
    return earned, den, capped, bonus


def ramp_realization(plan: ComponentPlan, grid: ContractGrid) -> ComponentEarnings:
    governing = governing_version(plan, grid)
    t = np.arange(grid.months)[None, :]
    pieces, warnings = [], []
    detail = {
        "k": np.zeros(grid.size, np.int64),
        "window": np.zeros(grid.size, np.int64),
        "realized": np.zeros(grid.size, np.int64),
        "target": np.zeros(grid.size, object),
        "target_den": np.ones(grid.size, object),
        "capped": np.zeros(grid.size, bool),
        "bonus": np.zeros(grid.size, bool),
    }
    for index, part in enumerate(plan.parts):
        rows = np.flatnonzero(governing == index)
        if not isinstance(part, RampRealization) or rows.size == 0:
            continue
        zero_commit = grid.commit_cents[rows] == 0
        for contract in grid.contract_ids[rows[zero_commit]]:
            warnings.append(
                f"contract {contract}: commit_monthly is 0, so {plan.plan_id}/{plan.component_id} "
                "(ramp_realization) earns nothing on it"
            )
        rows = rows[~zero_commit]
        if rows.size == 0:
            continue
        window = plan.versions[index].lifecycle.window_months
        k, realized, target, curve_den = progress(part, window, grid, rows)

        final = k == window
        earned, den, capped, bonus = window_earnings(part, realized, target, curve_den, final)
        pieces.append((rows, earned, den))

        last = np.full(rows.size, grid.months - 1)
        detail["k"][rows] = k[np.arange(rows.size), last]
        detail["window"][rows] = window
        detail["realized"][rows] = realized[np.arange(rows.size), last]
        detail["target"][rows] = target[np.arange(rows.size), last]
        detail["target_den"][rows] = curve_den
        detail["capped"][rows] = capped[np.arange(rows.size), last]
        detail["bonus"][rows] = bonus[np.arange(rows.size), last]

    earned, den = assemble(grid, pieces)
    applies = (governing >= 0)[:, None] & (t >= grid.first_purchase[:, None])
    return ComponentEarnings(
        delta=differences(earned),
        den=den,
        version=np.where(applies, governing[:, None], -1),
        credit_month=np.broadcast_to(t, (grid.size, grid.months)),
        detail=detail,
        warnings=warnings,
    )
