"""The items of the realization bridge (spec section 12): every contract, with its usage
U(c, m), and per account the usage no contract covers, RR(a, m) - Σ_c U(c, m).

U comes from the engine's own grid (``calc.usage.build_grid`` on the snapshot of the
monthly aggregate), so coverage by signing month, ``ends_on`` and product scope is
exactly what `run` pays on; nothing here reads the raw usage ledger.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from compengine.calc.snapshot import LedgerSnapshot
from compengine.calc.usage import ContractGrid

ITEM_COLUMNS = ["contract_id", "account_id", "x_p", "x_q"]


@dataclass(frozen=True)
class Items:
    """Contracts (one row each, grid order) and uncovered usage (one row per account)."""

    contracts: pd.DataFrame  # ITEM_COLUMNS, int64 cents; contract_id set
    uncovered: pd.DataFrame  # ITEM_COLUMNS, contract_id None
    run_rate: pd.DataFrame  # account_id, rr_p, rr_q: RR(a, P) and RR(a, Q), all products


def grid_column(grid: ContractGrid, month: int) -> np.ndarray:
    """U(c, month) per contract; zero for a month outside the grid (before every signing)."""
    t = month - grid.first_month
    if 0 <= t < grid.months:
        return grid.usage[:, t]
    return np.zeros(grid.size, dtype=np.int64)


def _account_month(frame: pd.DataFrame, month: int, name: str) -> pd.Series:
    cells = frame[frame["month"] == month]
    return cells.groupby("account_id")["amount_cents"].sum().rename(name)


def bridge_items(snapshot: LedgerSnapshot, grid: ContractGrid, p: int, q: int) -> Items:
    """The items' usage in months p and q; `grid` is the engine's grid through q."""
    contracts = pd.DataFrame(
        {
            "contract_id": grid.contract_ids,
            "account_id": grid.account_ids,
            "x_p": grid_column(grid, p),
            "x_q": grid_column(grid, q),
        }
    )
    usage = snapshot.monthly_usage
    run_rate = pd.concat(
        [_account_month(usage, p, "rr_p"), _account_month(usage, q, "rr_q")], axis=1
    ).fillna(0)
    run_rate = run_rate.astype("int64").rename_axis("account_id").reset_index()
    uncovered = pd.concat(
        [
            _account_month(grid.uncovered, p, "x_p"),
            _account_month(grid.uncovered, q, "x_q"),
        ],
        axis=1,
    ).fillna(0)
    uncovered = uncovered.astype("int64").rename_axis("account_id").reset_index()
    uncovered.insert(0, "contract_id", None)
    return Items(contracts, uncovered[ITEM_COLUMNS], run_rate)
