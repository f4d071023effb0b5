"""What every component calculator hands to crediting."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from compengine.calc.exact import rescale, zeros
from compengine.calc.usage import ContractGrid
from compengine.calc.versions import ComponentPlan


@dataclass
class ComponentEarnings:
    """ΔE(c, m) of one component on the contracts x months grid, exactly.

    ``delta`` holds numerators over ``den`` (Python ints). ``version`` is the plan
    version index governing each cell (-1 where the component does not apply),
    which gives the role credited and the line's plan_version. ``credit_month`` is
    the grid month whose shares receive the cell's ΔE (the clawback exception).
    ``detail`` carries per-contract numbers for the explanation at the period.
    """

    delta: np.ndarray
    den: int
    version: np.ndarray
    credit_month: np.ndarray
    detail: dict[str, np.ndarray] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def earned(self) -> np.ndarray:
        """E(c, P) numerators: ΔE summed over the grid."""
        return (
            self.delta.sum(axis=1) if self.delta.shape[1] else np.zeros(self.delta.shape[0], object)
        )


def governing_version(plan: ComponentPlan, grid: ContractGrid) -> np.ndarray:
    """Per contract: the version in force at F (the deal is paid under it for life), or -1."""
    if grid.months == 0:
        return np.full(grid.size, -1)
    at_first = np.where(grid.has_first, plan.month_version[grid.first_purchase], -1)
    return np.where(plan.applies(at_first), at_first, -1)


def assemble(
    grid: ContractGrid, pieces: list[tuple[np.ndarray, np.ndarray, int]]
) -> tuple[np.ndarray, int]:
    """One exact grid from per-version pieces (rows, numerators, denominator); pieces add up,
    since month-by-month components get one piece per version on the same rows."""
    den = math.lcm(1, *(d for _, _, d in pieces))
    values = zeros((grid.size, grid.months))
    for rows, numerators, piece_den in pieces:
        values[rows] = values[rows] + rescale(numerators, piece_den, den)
    return values, den


def differences(earned: np.ndarray) -> np.ndarray:
    """ΔE(c, m) = E(c, m) - E(c, m - 1) along the months axis."""
    delta = earned.copy()
    delta[:, 1:] = earned[:, 1:] - earned[:, :-1]
    return delta
