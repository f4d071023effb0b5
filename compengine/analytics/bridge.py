"""The realization bridge from run rate at P to run rate at Q (spec section 12).

Each item (a contract, or an account's uncovered usage) contributes to the figures by
what it is: a mature item of a churned account to churn, another mature item to the net
change of existing business, a ramping contract its commitment to new commitments and its
shortfall against that commitment to the realization gap. Contributions are summed per
account in integer cents, then per group: a payee group takes each account's figures
times the payee's section-5 share of month Q, exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

import numpy as np
import pandas as pd

from compengine.analytics.figures import Figures
from compengine.analytics.groups import field_groups
from compengine.analytics.items import Items, bridge_items
from compengine.analytics.ramping import ramp_window, ramping_at
from compengine.calc.snapshot import LedgerSnapshot
from compengine.calc.usage import ContractGrid, build_grid
from compengine.crediting.shares import build_shares
from compengine.errors import UserError
from compengine.months import format_period, last_day
from compengine.plan.model import PlanVersion

UNASSIGNED_GROUP = "(unassigned)"
TOTAL_GROUP = "total"
PARTS = ("start", "churn", "net_change_existing", "new_commitments", "realization_gap")


class GroupBy(StrEnum):
    segment = "segment"
    region = "region"
    payee = "payee"
    account = "account"


@dataclass(frozen=True)
class Bridge:
    """One bridge per group (sorted by name, all-zero groups left out) and the total."""

    period_from: int
    period_to: int
    by: GroupBy | None
    groups: dict[str, Figures]
    total: Figures

    def annualized(self) -> Bridge:
        twelve = Fraction(12)
        return Bridge(
            self.period_from,
            self.period_to,
            self.by,
            {name: figures.scaled(twelve) for name, figures in self.groups.items()},
            self.total.scaled(twelve),
        )


def _ended_before(snapshot: LedgerSnapshot, grid: ContractGrid, q: int) -> np.ndarray:
    """Per grid contract: ends_on lies before the last day of month q."""
    ends = snapshot.contracts.set_index("contract_id")["ends_on"]
    cut = last_day(q)
    return np.array(
        [e is not None and not pd.isna(e) and e < cut for e in ends.reindex(grid.contract_ids)],
        dtype=bool,
    )


def account_contributions(
    snapshot: LedgerSnapshot, plans: list[PlanVersion], p: int, q: int
) -> pd.DataFrame:
    """Per account: the five summed parts of its items, in integer cents."""
    grid = build_grid(snapshot, q)
    items = bridge_items(snapshot, grid, p, q)
    window = ramp_window(grid, plans, snapshot.accounts)
    ramping = ramping_at(grid, window, p, q, _ended_before(snapshot, grid, q))
    churned = set(
        items.run_rate.loc[
            (items.run_rate["rr_p"] > 0) & (items.run_rate["rr_q"] <= 0), "account_id"
        ]
    )
    return _contributions(items, grid, ramping, churned)


def _contributions(
    items: Items, grid: ContractGrid, ramping: np.ndarray, churned: set[str]
) -> pd.DataFrame:
    contracts = items.contracts.assign(ramping=ramping, commit=grid.commit_cents)
    every = pd.concat(
        [contracts, items.uncovered.assign(ramping=False, commit=0)], ignore_index=True
    )
    x_p, x_q = every["x_p"].to_numpy(np.int64), every["x_q"].to_numpy(np.int64)
    ramps = every["ramping"].to_numpy(bool)
    commit = every["commit"].to_numpy(np.int64)
    lost = every["account_id"].isin(churned).to_numpy(bool)
    change = np.where(ramps, 0, x_q - x_p)
    parts = pd.DataFrame(
        {
            "account_id": every["account_id"].to_numpy(object),
            "start": x_p,
            "churn": np.where(lost, change, 0),
            "net_change_existing": np.where(lost, 0, change),
            "new_commitments": np.where(ramps, commit - x_p, 0),
            "realization_gap": np.where(ramps, x_q - commit, 0),
        }
    )
    return parts.groupby("account_id", as_index=False, sort=True)[list(PARTS)].sum()


def _account_groups(snapshot: LedgerSnapshot, accounts: pd.Series, by: GroupBy) -> pd.DataFrame:
    """(account_id, group, weight 1): each account wholly in one group."""
    ids = accounts.to_numpy(object)
    names = ids if by is GroupBy.account else field_groups(snapshot.accounts, ids, by.value)
    return pd.DataFrame({"account_id": ids, "group": names, "weight": 1})


def payee_weights(
    snapshot: LedgerSnapshot, accounts: pd.Series, role: str, q: int
) -> tuple[pd.DataFrame, int]:
    """(account_id, group, weight) over one denominator: the holders of `role` in month q
    with their section-5 shares, the unheld remainder as (unassigned). Shares above 1 on
    any account are a configuration error."""
    held = snapshot.assignments[snapshot.assignments["role"] == role]
    table = build_shares(held, q, 1)
    shares = table.frame[["account_id", "payee_id", "share"]]
    totals = shares.groupby("account_id")["share"].sum()
    over = sorted(totals[totals > table.den].index)
    if over:
        raise UserError(
            [
                f"configuration error: shares of role {role} on account {account} add up to "
                f"more than 1 in {format_period(q)} (payees: "
                f"{', '.join(sorted(shares.loc[shares['account_id'] == account, 'payee_id']))})"
                for account in over
            ]
        )
    held_total = totals.reindex(accounts, fill_value=0).to_numpy(object)
    rest = pd.DataFrame(
        {
            "account_id": accounts.to_numpy(object),
            "group": UNASSIGNED_GROUP,
            "weight": table.den - held_total,
        }
    )
    weights = pd.concat(
        [shares.rename(columns={"payee_id": "group", "share": "weight"}), rest], ignore_index=True
    )
    return weights[weights["weight"] != 0], table.den


def _grouped(parts: pd.DataFrame, weights: pd.DataFrame, den: int) -> dict[str, Figures]:
    merged = parts.merge(weights, on="account_id")
    weight = merged["weight"].to_numpy(object)
    sums = pd.DataFrame({"group": merged["group"].to_numpy(object)})
    for part in PARTS:
        sums[part] = merged[part].to_numpy(np.int64).astype(object) * weight
    result = {}
    for group, rows in sums.groupby("group", sort=True):
        figures = Figures(*(Fraction(sum(rows[part]), den) for part in PARTS))
        if not figures.is_zero():
            result[str(group)] = figures
    return result


def compute_bridge(
    snapshot: LedgerSnapshot,
    plans: list[PlanVersion],
    p: int,
    q: int,
    *,
    by: GroupBy | None = None,
    role: str = "AE",
) -> Bridge:
    """The bridge from p to q (p < q), per group and in total, exact."""
    if p >= q:
        raise UserError.single(
            f"--from: {format_period(p)} must be before --to ({format_period(q)})"
        )
    parts = account_contributions(snapshot, plans, p, q)
    total = Figures(*(Fraction(int(parts[part].sum())) for part in PARTS))
    if by is None:
        return Bridge(p, q, None, {}, total)
    if by is GroupBy.payee:
        weights, den = payee_weights(snapshot, parts["account_id"], role, q)
    else:
        weights, den = _account_groups(snapshot, parts["account_id"], by), 1
    return Bridge(p, q, by, _grouped(parts, weights, den), total)
