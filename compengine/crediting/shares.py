"""Each payee's share of a role on an account in each month (spec section 5).

share(p, m) = split x (days of m covered by the assignment) / (days in m), summed
over the payee's rows. Shares are integers over SHARE_DEN = 10^s x lcm(28..31), where
s is the most decimal places of any split, so that sums and comparisons with 1 are
exact integer operations. They are 64-bit integers when no share and no sum of them can
leave that range (checked from the splits before computing), else Python integers.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import cache, cached_property

import numpy as np
import pandas as pd

from compengine.money import parse_decimal
from compengine.months import days_in, first_day, last_day, month_of

DAYS_DEN = math.lcm(28, 29, 30, 31)
INT64_MAX = 2**63 - 1
_EPOCH = date(1970, 1, 1)  # day 0 of numpy's datetime64
PART_COLUMNS = ["cell", "payee", "split", "days", "month_days"]


@dataclass
class ShareTable:
    """Each payee's share of a role on an account in each grid month, over ``den``.

    ``cells`` holds them by integer codes, (cell, payee, share), sorted by cell: ``cell``
    codes (account_id, role, month) as `cells_of` codes any other table's cells, and
    ``payee`` indexes ``payees``, so that crediting finds a cell's holders by binary
    search and only the credited rows get their names back.

    ``frame`` names them (account_id, role, month, payee_id, share), built on first use.
    `parts_of` tells what some shares are made of, one row per assignment row and month
    (cell, payee, split, days, month_days), so that a statement can show split x days
    instead of a bare percentage.
    """

    cells: pd.DataFrame
    den: int
    accounts: pd.Index  # account ids by their code
    roles: pd.Index
    payees: pd.Index
    months: int
    _parts: Callable[[pd.DataFrame], pd.DataFrame] = field(repr=False)

    @classmethod
    def empty(cls, den: int) -> ShareTable:
        none = pd.Index([], dtype=object)
        cells = pd.DataFrame({name: np.array([], np.int64) for name in ("cell", "payee", "share")})
        return cls(cells, den, none, none, none, 0, lambda _: pd.DataFrame(columns=PART_COLUMNS))

    def parts_of(self, wanted: pd.DataFrame) -> pd.DataFrame:
        """The parts of the shares of `wanted` (cell, payee): columns PART_COLUMNS."""
        return self._parts(wanted)

    @cached_property
    def frame(self) -> pd.DataFrame:
        pair, month = np.divmod(self.cells["cell"].to_numpy(), max(self.months, 1))
        account, role = np.divmod(pair, max(len(self.roles), 1))
        return pd.DataFrame(
            {
                "account_id": self.accounts.take(account),
                "role": self.roles.take(role),
                "month": month,
                "payee_id": self.payees.take(self.cells["payee"].to_numpy()),
                "share": self.cells["share"].to_numpy(),
            }
        )

    def cells_of(self, account_ids: np.ndarray, roles: np.ndarray, grid_months: np.ndarray):
        """The ``cell`` code of each (account, role, grid month); -1 where the table can
        hold no share: an account or role it does not know, a month outside its range."""
        account = self.accounts.get_indexer(account_ids)
        role = self.roles.get_indexer(roles)
        cell = _cell(account, role, len(self.roles), grid_months, self.months)
        outside = (grid_months < 0) | (grid_months >= self.months)
        return np.where((account < 0) | (role < 0) | outside, -1, cell)

    def holders_of(self, cells: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Every (position in `cells`, row of ``self.cells``) of a cell and a share of it."""
        stored = self.cells["cell"].to_numpy()
        first = np.searchsorted(stored, cells, "left")
        counts = np.searchsorted(stored, cells, "right") - first
        which = np.repeat(np.arange(len(cells)), counts)
        return which, first[which] + _steps(counts)


def _steps(counts: np.ndarray) -> np.ndarray:
    """0, 1, ..., n - 1 for each n of `counts`, one after the other."""
    return np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)


def _cell(account: np.ndarray, role: np.ndarray, roles: int, month: np.ndarray, months: int):
    """(account x roles + role) x months + month: below (distinct accounts) x roles x
    months, which is far inside 64 bits for any table that fits in memory."""
    return (account.astype(np.int64) * roles + role) * months + month


def _split_numerators(splits: pd.Series) -> tuple[np.ndarray, int, int]:
    """Splits as integers over their common denominator, and the largest in magnitude
    (each distinct text parsed once)."""
    codes, texts = pd.factorize(splits.astype(str))
    values = [parse_decimal(text) for text in texts]
    den = math.lcm(1, *(v.denominator for v in values))
    numerators = [int(v * den) for v in values]
    largest = max(numerators, key=abs)
    return np.array(numerators, dtype=object)[codes], den, largest


def share_dtype(largest_split: int, rows: int) -> type:
    """np.int64 when every share fits with room for any sum of them, else object (Python
    integers). A share is at most largest_split x 31 days x DAYS_DEN / 28, and a sum
    of shares (of a payee's rows, of a cell's holders) adds at most `rows` of them."""
    bound = abs(largest_split) * 31 * (DAYS_DEN // 28) * max(rows, 1)
    return np.int64 if bound <= INT64_MAX else object


def _days_and_months(dates: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each date's ordinal day and month index (as `month_of`), and where it is missing."""
    values = dates.to_numpy(object, copy=True)
    missing = pd.isna(values)
    values[missing] = _EPOCH
    ordinal = np.fromiter((day.toordinal() for day in values), np.int64, len(values))
    since_epoch = (ordinal - _EPOCH.toordinal()).astype("datetime64[D]")
    month = since_epoch.astype("datetime64[M]").astype(np.int64) + month_of(_EPOCH)
    return ordinal, month, missing


def build_shares(assignments: pd.DataFrame, first_month: int, months: int) -> ShareTable:
    if assignments.empty or months <= 0:
        return ShareTable.empty(DAYS_DEN)
    last_month = first_month + months - 1
    split, split_den, largest_split = _split_numerators(assignments["split"])
    start_day, start_month, _ = _days_and_months(assignments["start"])
    end_day, end_month, open_ended = _days_and_months(assignments["end"])
    end_day[open_ended] = date.max.toordinal()
    end_month[open_ended] = last_month
    lo = np.maximum(start_month, first_month)
    hi = np.minimum(end_month, last_month)
    counts = np.maximum(hi - lo + 1, 0)
    row = np.repeat(np.arange(len(assignments)), counts)
    month = lo[row] + _steps(counts)

    horizon = np.arange(first_month, last_month + 1)
    month_start = np.array([first_day(m).toordinal() for m in horizon], dtype=np.int64)
    month_end = np.array([last_day(m).toordinal() for m in horizon], dtype=np.int64)
    month_days = np.array([days_in(m) for m in horizon], dtype=np.int64)
    t = month - first_month
    covered = (
        np.minimum(end_day[row], month_end[t]) - np.maximum(start_day[row], month_start[t]) + 1
    )
    dtype = share_dtype(largest_split, len(assignments))
    share = (
        split[row].astype(dtype) * covered.astype(dtype) * (DAYS_DEN // month_days[t]).astype(dtype)
    )

    kept = covered > 0
    row, t, covered, share = row[kept], t[kept], covered[kept], share[kept]
    codes = {name: pd.factorize(assignments[name]) for name in ("account_id", "role", "payee_id")}
    account, role, payee = (codes[name][0] for name in ("account_id", "role", "payee_id"))
    roles = len(codes["role"][1])
    # the holders (account, role, payee) by integer code, and the share sums per holder
    # and month by sorting one integer key: far faster than grouping by four columns
    pairs = pd.DataFrame({"pair": account * roles + role, "payee": payee})
    # numbered in order of first row, the order in which drop_duplicates lists them
    holder = pairs.groupby(["pair", "payee"], sort=False).ngroup().to_numpy()
    holder_of = pairs.drop_duplicates().to_numpy(np.int64)
    key = holder[row].astype(np.int64) * months + t
    order = np.argsort(key, kind="stable")
    key = key[order]
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]]) if len(key) else key
    summed = np.add.reduceat(share[order], starts) if len(key) else share
    group_holder, group_month = np.divmod(key[starts], months)
    pair, group_payee = holder_of[group_holder, 0], holder_of[group_holder, 1]
    group_account, group_role = np.divmod(pair, roles)
    cell = _cell(group_account, group_role, roles, group_month, months)
    by_cell = np.argsort(cell, kind="stable")
    cells = pd.DataFrame(
        {"cell": cell[by_cell], "payee": group_payee[by_cell], "share": summed[by_cell]}
    )

    @cache
    def every_part() -> pd.DataFrame:
        return pd.DataFrame(
            {
                "cell": _cell(account[row], role[row], roles, t, months),
                "payee": payee[row],
                "row": row,
                "days": covered,
                "month_days": month_days[t],
            }
        )

    def parts(wanted: pd.DataFrame) -> pd.DataFrame:
        found = every_part().merge(wanted[["cell", "payee"]].drop_duplicates())
        texts = assignments["split"].astype(str).to_numpy(object)[found["row"].to_numpy()]
        return found.assign(split=texts)[PART_COLUMNS]

    return ShareTable(
        cells,
        DAYS_DEN * split_den,
        *(pd.Index(codes[name][1]) for name in ("account_id", "role", "payee_id")),
        months,
        parts,
    )
