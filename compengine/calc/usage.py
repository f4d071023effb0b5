"""U(c, m): each contract's usage per month, on a contracts x months grid (spec section 2).

Month t of the grid is month index ``first_month + t``; the grid starts at the
earliest signing month and ends at the period being computed, so everything a
component needs for E(c, P) lies inside it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from compengine.calc.snapshot import LedgerSnapshot
from compengine.errors import UserError
from compengine.months import month_of


@dataclass
class ContractGrid:
    contract_ids: np.ndarray
    account_ids: np.ndarray
    commit_cents: np.ndarray  # int64 per contract
    signed: np.ndarray  # grid month of signed_on, per contract
    first_month: int  # month index of grid column 0
    usage: np.ndarray  # (contracts, months) int64 cents
    cumulative: np.ndarray  # (contracts, months + 1): cumulative[:, t] = usage before month t
    first_purchase: np.ndarray  # grid month F per contract (meaningful where has_first)
    has_first: np.ndarray  # bool per contract

    @property
    def months(self) -> int:
        return self.usage.shape[1]

    @property
    def size(self) -> int:
        return self.usage.shape[0]

    def window_sum(self, start: np.ndarray, stop: np.ndarray) -> np.ndarray:
        """Sum of usage over grid months [start, stop) per contract (bounds clipped)."""
        hi = np.clip(stop, 0, self.months)
        lo = np.clip(start, 0, hi)
        rows = np.arange(self.size)
        return self.cumulative[rows, hi] - self.cumulative[rows, lo]


def _contract_usage(
    snapshot: LedgerSnapshot, contracts: pd.DataFrame, first: int, last: int
) -> pd.DataFrame:
    """Long table (row, t, cents) of usage falling in each contract's scope."""
    usage = snapshot.monthly_usage
    usage = usage[(usage["month"] >= first) & (usage["month"] <= last)]
    frame = contracts[["account_id", "products"]].assign(row=np.arange(len(contracts)))

    whole = frame[frame["products"] == ""]
    per_account = usage.groupby(["account_id", "month"], as_index=False)["amount_cents"].sum()
    whole_usage = whole.merge(per_account, on="account_id")

    scoped = frame[frame["products"] != ""].assign(product=lambda f: f["products"].str.split(";"))
    scoped = scoped.explode("product").drop_duplicates(["row", "product"])  # a scope is a set
    scoped_usage = scoped.merge(usage, on=["account_id", "product"])

    columns = ["row", "month", "amount_cents"]
    return pd.concat([whole_usage[columns], scoped_usage[columns]], ignore_index=True)


USAGE_LIMIT_CENTS = 2**62  # far above any real ledger, safely inside int64


def _check_range(usage: pd.DataFrame) -> None:
    """Refuse, rather than wrap around, ledgers whose sums could leave the int64 grid."""
    total = sum(abs(cents) for cents in usage["amount_cents"].tolist())
    if total >= USAGE_LIMIT_CENTS:
        raise UserError.single(
            f"usage amounts add up to more than {USAGE_LIMIT_CENTS // 100:,} in absolute value; "
            "compengine cannot compute with sums that large"
        )


def build_grid(snapshot: LedgerSnapshot, period: int) -> ContractGrid:
    contracts = snapshot.contracts.sort_values("contract_id", kind="stable").reset_index(drop=True)
    signed_months = np.array([month_of(d) for d in contracts["signed_on"]], dtype=np.int64)
    first = int(signed_months.min()) if len(contracts) else period
    months = max(period - first + 1, 0)

    _check_range(snapshot.monthly_usage)
    usage = np.zeros((len(contracts), months), dtype=np.int64)
    if months:
        long = _contract_usage(snapshot, contracts, first, period)
        np.add.at(
            usage,
            (long["row"].to_numpy(np.int64), long["month"].to_numpy(np.int64) - first),
            long["amount_cents"].to_numpy(np.int64),
        )
    cumulative = np.zeros((len(contracts), months + 1), dtype=np.int64)
    np.cumsum(usage, axis=1, out=cumulative[:, 1:])

    signed = signed_months - first
    eligible = (usage > 0) & (np.arange(months)[None, :] >= signed[:, None])
    return ContractGrid(
        contract_ids=contracts["contract_id"].to_numpy(object),
        account_ids=contracts["account_id"].to_numpy(object),
        commit_cents=contracts["commit_monthly_cents"].to_numpy(np.int64),
        signed=signed,
        first_month=first,
        usage=usage,
        cumulative=cumulative,
        first_purchase=eligible.argmax(axis=1) if months else np.zeros(len(contracts), np.int64),
        has_first=eligible.any(axis=1) if months else np.zeros(len(contracts), bool),
    )
