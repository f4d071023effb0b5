"""Which contracts are still ramping (spec section 12).

A contract's window W is that of the ramp_realization components of the plan versions in
force in F(c) (in the signing month while F(c) is undefined) whose scope holds its account;
with several, the longest; with none, the contract is mature. The version rule is the
engine's own (``calc.versions``), so the bridge and `run` agree on every window.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from compengine.calc.usage import ContractGrid
from compengine.calc.versions import component_plans
from compengine.plan.model import PlanVersion


def ramp_window(grid: ContractGrid, plans: list[PlanVersion], accounts: pd.DataFrame) -> np.ndarray:
    """W per contract (0: no ramp component applies, the contract is mature)."""
    window = np.zeros(grid.size, dtype=np.int64)
    if grid.months == 0:
        return window
    anchor = np.where(grid.has_first, grid.first_purchase, grid.signed)
    inside = (anchor >= 0) & (anchor < grid.months)
    at = np.clip(anchor, 0, grid.months - 1)
    for plan in component_plans(plans, grid, accounts):
        if plan.type != "ramp_realization":
            continue
        version = np.where(inside, plan.month_version[at], -1)
        applies = plan.applies(version)
        sizes = np.array([v.lifecycle.window_months for v in plan.versions] + [0], dtype=np.int64)
        window = np.maximum(window, np.where(applies, sizes[version], 0))
    return window


def ramping_at(
    grid: ContractGrid, window: np.ndarray, p: int, q: int, ended: np.ndarray
) -> np.ndarray:
    """Per contract: ramping at p in a bridge to q; `ended` says whether its ends_on lies
    before the last day of q."""
    signed = grid.signed + grid.first_month
    first = grid.first_purchase + grid.first_month
    window_open = ~grid.has_first | (first > p) | (p < first + window - 1)
    return (window > 0) & (signed <= q) & ~ended & window_open
