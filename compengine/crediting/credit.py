"""Crediting ΔE to the payees holding the component's role (spec section 5).

Each non-zero ΔE cell is joined to the shares of its account, role and credit month.
What the shares do not cover is unassigned (reported, never dropped); shares above 1
where something is credited are a configuration error.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from compengine.calc.earnings import ComponentEarnings
from compengine.calc.usage import ContractGrid
from compengine.calc.versions import ComponentPlan
from compengine.crediting.shares import ShareTable
from compengine.months import format_period


@dataclass
class Credited:
    """Exact amounts over ``den``: earned per (payee_id, row) and unassigned per cell.

    ``holders`` keeps each credited cell with the payee's share (over the share table's
    den) and ΔE (over the earnings' den): the parts an explanation shows.
    """

    earned: pd.DataFrame  # payee_id, row, earned, earned_as_of
    unassigned: pd.DataFrame  # row, month, role, amount
    den: int
    problems: list[str]
    # payee_id, row, month, credit_month, account_id, role, share, delta, and the share
    # table's codes of the credit month's cell and the payee (share_cell, payee)
    holders: pd.DataFrame


def _cells(
    plan: ComponentPlan, earnings: ComponentEarnings, grid: ContractGrid, shares: ShareTable
) -> pd.DataFrame:
    rows, months = np.nonzero(earnings.delta != 0)
    roles = np.array([p.role if p is not None else None for p in plan.parts] + [None], dtype=object)
    account_ids = grid.account_ids[rows]
    role = roles[earnings.version[rows, months]]
    credit_month = earnings.credit_month[rows, months]
    return pd.DataFrame(
        {
            "cell": np.arange(rows.size),
            "row": rows,
            "month": months,
            "account_id": account_ids,
            "role": role,
            "credit_month": credit_month,
            "delta": earnings.delta[rows, months],
            "share_cell": shares.cells_of(account_ids, role, credit_month),
        }
    )


def _over_allocated(
    cells: pd.DataFrame, holders: pd.DataFrame, totals: pd.Series, share_den: int, grid
) -> list[str]:
    over = totals[totals > share_den]
    problems = []
    for cell in over.index:
        first = cells.loc[cell]
        payees = sorted(holders.loc[holders["cell"] == cell, "payee_id"])
        problems.append(
            f"configuration error: shares of role {first['role']} on account {first['account_id']} "
            "add up to more than 1 in "
            f"{format_period(grid.first_month + int(first['credit_month']))} "
            f"(payees: {', '.join(payees)})"
        )
    return problems


def credit(
    plan: ComponentPlan,
    earnings: ComponentEarnings,
    grid: ContractGrid,
    shares: ShareTable,
    as_of: int | None = None,
) -> Credited:
    """Credited amounts; `earned_as_of` is earned through grid month `as_of` (for true-ups)."""
    cells = _cells(plan, earnings, grid, shares)
    which, rows = shares.holders_of(cells["share_cell"].to_numpy())
    holders = cells.iloc[which].reset_index(drop=True)
    holders["payee"] = shares.cells["payee"].to_numpy()[rows]
    holders["payee_id"] = shares.payees.take(holders["payee"].to_numpy())
    holders["share"] = shares.cells["share"].to_numpy()[rows]
    totals = holders.groupby("cell")["share"].sum().reindex(cells["cell"], fill_value=0)
    totals.index = cells.index
    problems = list(dict.fromkeys(_over_allocated(cells, holders, totals, shares.den, grid)))

    # exact whatever either side's dtype: shares may be 64-bit (crediting.shares)
    holders["earned"] = holders["share"].astype(object) * holders["delta"].astype(object)
    through = grid.months - 1 if as_of is None else as_of
    holders["earned_as_of"] = holders["earned"].where(holders["month"] <= through, 0)
    earned = holders.groupby(["payee_id", "row"], as_index=False, sort=False)[
        ["earned", "earned_as_of"]
    ].sum()

    missing = (shares.den - totals.to_numpy(dtype=object)) * cells["delta"].to_numpy(dtype=object)
    unassigned = cells.assign(amount=missing)
    unassigned = unassigned.loc[
        (totals < shares.den).to_numpy(), ["row", "month", "role", "amount"]
    ]
    return Credited(earned, unassigned, earnings.den * shares.den, problems, holders)
