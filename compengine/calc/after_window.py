"""sustained_usage and expansion: month-by-month earnings after the ramp window.

Both use the version in force in each month, with that version's lifecycle, and
the baseline B = (sum of the last b window months) / b. Keeping the sum S_b instead
of B keeps everything integral: U >= B  <=>  U x b >= S_b.
"""

from __future__ import annotations

import numpy as np

from compengine.calc.earnings import ComponentEarnings, assemble
from compengine.calc.exact import big
from compengine.calc.usage import ContractGrid
from compengine.calc.versions import ComponentPlan
from compengine.plan.model import Expansion, SustainedUsage


def _baseline_cells(plan: ComponentPlan, grid: ContractGrid, index: int, duration: int | None):
    """Cells governed by version `index` after the window, and the baseline sums S_b."""
    lifecycle = plan.versions[index].lifecycle
    t = np.arange(grid.months)[None, :]
    window_end = grid.first_purchase + lifecycle.window_months  # first month after the window
    active = (plan.month_version == index)[None, :] & (t >= window_end[:, None])
    active &= plan.applies(np.full(grid.size, index))[:, None] & grid.has_first[:, None]
    if duration is not None:
        active &= t < (window_end + duration)[:, None]
    baseline_sum = grid.window_sum(window_end - lifecycle.baseline_months, window_end)
    return active, big(baseline_sum), lifecycle.baseline_months


def _month_earnings(plan: ComponentPlan, grid: ContractGrid, month_rule) -> ComponentEarnings:
    pieces, version = [], np.full((grid.size, grid.months), -1)
    detail = {
        "baseline_sum": np.zeros(grid.size, object),
        "baseline_months": np.ones(grid.size, object),
    }
    usage = big(grid.usage)
    for index, part in enumerate(plan.parts):
        if part is None:
            continue
        duration = getattr(part, "duration_months", None)
        active, baseline_sum, months = _baseline_cells(plan, grid, index, duration)
        if not active.any():
            continue
        numerators, den = month_rule(part, usage, baseline_sum[:, None], months)
        rows = np.flatnonzero(active.any(axis=1))
        pieces.append((rows, np.where(active, numerators, 0)[rows], den))
        version[active] = index
        detail["baseline_sum"][rows] = baseline_sum[rows]
        detail["baseline_months"][rows] = months
    delta, den = assemble(grid, pieces)
    return ComponentEarnings(
        delta=delta,
        den=den,
        version=version,
        credit_month=np.broadcast_to(np.arange(grid.months)[None, :], delta.shape),
        detail=detail,
    )


def _sustained_month(part: SustainedUsage, usage, baseline_sum, months: int):
    """rate x min(U, B) when U / B >= min_retention and B > 0, else 0."""
    retention = part.min_retention
    kept = (baseline_sum > 0) & (
        usage * months * retention.denominator >= retention.numerator * baseline_sum
    )
    paid = np.minimum(usage * months, baseline_sum) * part.rate.numerator
    return np.where(kept, paid, 0), part.rate.denominator * months


def _expansion_month(part: Expansion, usage, baseline_sum, months: int):
    """rate x max(0, U - max(B, 0) x (1 + threshold))."""
    th = part.threshold
    growth = usage * months * th.denominator - np.maximum(baseline_sum, 0) * (
        th.denominator + th.numerator
    )
    return np.maximum(
        growth, 0
    ) * part.rate.numerator, part.rate.denominator * months * th.denominator


def sustained_usage(plan: ComponentPlan, grid: ContractGrid) -> ComponentEarnings:
    return _month_earnings(plan, grid, _sustained_month)


def expansion(plan: ComponentPlan, grid: ContractGrid) -> ComponentEarnings:
    return _month_earnings(plan, grid, _expansion_month)
