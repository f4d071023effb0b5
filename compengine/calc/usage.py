"""U(c, m): each contract's usage per month, on a contracts x months grid (spec section 2).

Month t of the grid is month index ``first_month + t``; the grid starts at the
earliest signing month and ends at the period being computed, so everything a
component needs for E(c, P) lies inside it.

A contract covers the usage of its scope from the first day of its signing month
through ``ends_on`` (spec section 1): U is zero before the signing month and after the
end month. In an end month that ``ends_on`` cuts short, U is the usage dated through
``ends_on``, which the snapshot reads for those few contracts from the raw ledger.
Every aggregate cell is also told how much of it no contract covers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from compengine.calc.snapshot import USAGE_COLUMNS, LedgerSnapshot
from compengine.errors import UserError
from compengine.months import last_day, month_of

OPEN_END = 2**40  # the end month of an open-ended contract: after every period


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
    uncovered: pd.DataFrame  # USAGE_COLUMNS: non-zero usage through the period no contract covers

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


@dataclass(frozen=True)
class Coverage:
    """The months each contract covers: [signed, end], the end month cut short when `partial`."""

    signed: np.ndarray  # month index of signed_on
    end: np.ndarray  # month index of ends_on; OPEN_END when open-ended
    partial: np.ndarray  # bool: ends_on is not the last day of its month


def _missing(day: object) -> bool:
    return day is None or bool(pd.isna(day))


def coverage(contracts: pd.DataFrame) -> Coverage:
    ends = contracts["ends_on"].tolist()
    return Coverage(
        signed=np.array([month_of(d) for d in contracts["signed_on"]], dtype=np.int64),
        end=np.array([OPEN_END if _missing(d) else month_of(d) for d in ends], dtype=np.int64),
        partial=np.array(
            [not _missing(d) and d != last_day(month_of(d)) for d in ends], dtype=bool
        ),
    )


def _pairs(
    cell_keys: np.ndarray, contract_keys: np.ndarray, contract_rows: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Every (contract row, cell) pair with equal integer keys: a join done in numpy."""
    order = np.argsort(contract_keys, kind="stable")
    keys, rows = contract_keys[order], contract_rows[order]
    low = np.searchsorted(keys, cell_keys, side="left")
    count = np.searchsorted(keys, cell_keys, side="right") - low
    src = np.repeat(np.arange(len(cell_keys)), count)
    within = np.arange(len(src)) - np.repeat(np.cumsum(count) - count, count)
    return rows[np.repeat(low, count) + within], src


def _scope_cells(usage: pd.DataFrame, contracts: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(row, src) pairs: contract `row` x aggregate cell `src` of its account whose product
    is in its scope, whatever the month. Ids become integer codes first (the aggregate's
    ids are hashed once), so the joins are sorts and searches over integers."""
    scopes = contracts["products"].to_numpy(object)
    rows = np.arange(len(contracts))
    whole = scopes == ""
    cell_accounts, accounts = _codes(usage["account_id"])
    contract_accounts = accounts.get_indexer(contracts["account_id"].to_numpy(object))
    row, src = _pairs(cell_accounts, contract_accounts[whole], rows[whole])
    if whole.all():
        return row, src

    scoped = pd.DataFrame({"row": rows[~whole], "product": scopes[~whole]})
    scoped = scoped.assign(product=scoped["product"].str.split(";")).explode("product")
    scoped = scoped.drop_duplicates(["row", "product"])  # a scope is a set
    cell_products, products = _codes(usage["product"])
    scoped_rows = scoped["row"].to_numpy(np.int64)
    scoped_products = products.get_indexer(scoped["product"].to_numpy(object))
    known = (scoped_products >= 0) & (contract_accounts[scoped_rows] >= 0)
    width = len(products)
    scoped_row, scoped_src = _pairs(
        cell_accounts * width + cell_products,
        (contract_accounts[scoped_rows] * width + scoped_products)[known],
        scoped_rows[known],
    )
    return np.concatenate([row, scoped_row]), np.concatenate([src, scoped_src])


def _codes(ids: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Integer codes of a column of ids, and the ids they stand for."""
    codes, uniques = pd.factorize(ids.to_numpy(object))
    return codes.astype(np.int64), pd.Index(uniques, dtype=object)


def _covered_cells(
    snapshot: LedgerSnapshot, contracts: pd.DataFrame, covers: Coverage, usage: pd.DataFrame
) -> pd.DataFrame:
    """(row, src, month, amount_cents) of the usage each contract covers (spec section 1):
    whole months from the signing month to the end month; in an end month that ends_on cuts
    short, the usage dated through ends_on instead of the month's sum."""
    row, src = _scope_cells(usage, contracts)
    month = usage["month"].to_numpy(np.int64)[src]
    amount = usage["amount_cents"].to_numpy(np.int64)[src]
    end = covers.end[row]
    covered = (month >= covers.signed[row]) & (month <= end)
    cut = covered & covers.partial[row] & (month == end)
    if cut.any():
        through_end = snapshot.end_month_usage.set_index(["contract_id", "product"])
        keys = pd.MultiIndex.from_arrays(
            [
                contracts["contract_id"].to_numpy(object)[row[cut]],
                usage["product"].to_numpy(object)[src[cut]],
            ]
        )
        amount = amount.copy()
        amount[cut] = through_end["amount_cents"].reindex(keys, fill_value=0).to_numpy(np.int64)
    return pd.DataFrame(
        {
            "row": row[covered],
            "src": src[covered],
            "month": month[covered],
            "amount_cents": amount[covered],
        }
    )


USAGE_LIMIT_CENTS = 2**62  # far above any real ledger, safely inside int64


def _check_range(usage: pd.DataFrame) -> None:
    """Refuse, rather than wrap around, ledgers whose sums could leave the int64 grid."""
    cents = usage["amount_cents"].to_numpy(np.int64)
    if not len(cents):
        return
    largest = max(abs(int(cents.max())), abs(int(cents.min())))
    if largest * len(cents) < USAGE_LIMIT_CENTS:
        return  # the usual case, decided without a Python loop over the cells
    total = sum(abs(cell) for cell in cents.tolist())
    if total >= USAGE_LIMIT_CENTS:
        raise UserError.single(
            f"usage amounts add up to more than {USAGE_LIMIT_CENTS // 100:,} in absolute value; "
            "compengine cannot compute with sums that large"
        )


def _uncovered(usage: pd.DataFrame, cells: pd.DataFrame) -> pd.DataFrame:
    """What is left of each aggregate cell once every contract took what it covers."""
    covered = np.zeros(len(usage), dtype=np.int64)
    np.add.at(covered, cells["src"].to_numpy(np.int64), cells["amount_cents"].to_numpy(np.int64))
    left = usage["amount_cents"].to_numpy(np.int64) - covered
    rest = usage.assign(amount_cents=left)[left != 0]
    return rest.sort_values(["account_id", "product", "month"], kind="stable").reset_index(
        drop=True
    )[USAGE_COLUMNS]


def build_grid(snapshot: LedgerSnapshot, period: int) -> ContractGrid:
    contracts = snapshot.contracts.sort_values("contract_id", kind="stable").reset_index(drop=True)
    covers = coverage(contracts)
    first = int(covers.signed.min()) if len(contracts) else period
    months = max(period - first + 1, 0)

    _check_range(snapshot.monthly_usage)
    monthly = snapshot.monthly_usage
    monthly = monthly[monthly["month"] <= period].reset_index(drop=True)[USAGE_COLUMNS]
    cells = _covered_cells(snapshot, contracts, covers, monthly)
    usage = np.zeros((len(contracts), months), dtype=np.int64)
    if months:
        np.add.at(
            usage,
            (cells["row"].to_numpy(np.int64), cells["month"].to_numpy(np.int64) - first),
            cells["amount_cents"].to_numpy(np.int64),
        )
    cumulative = np.zeros((len(contracts), months + 1), dtype=np.int64)
    np.cumsum(usage, axis=1, out=cumulative[:, 1:])

    signed = covers.signed - first
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
        uncovered=_uncovered(monthly, cells),
    )
