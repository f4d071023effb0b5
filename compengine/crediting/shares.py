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
from functools import cached_property

import numpy as np
import pandas as pd

from compengine.money import parse_decimal
from compengine.months import days_in, first_day, last_day, month_of

DAYS_DEN = math.lcm(28, 29, 30, 31)
INT64_MAX = 2**63 - 1
PART_COLUMNS = ["account_id", "role", "month", "payee_id", "split", "days", "month_days"]


@dataclass
class ShareTable:
    """Rows (account_id, role, month, payee_id, share); month is a grid month.

    ``parts`` keeps what each share is made of, one row per assignment row and month
    (account_id, role, month, payee_id, split, days, month_days), so that a statement
    can show split x days instead of a bare percentage. Only lines of a partial share
    need it, so it is built on first use.
    """

    frame: pd.DataFrame
    den: int
    _parts: Callable[[], pd.DataFrame] = field(
        default=lambda: pd.DataFrame(columns=PART_COLUMNS), repr=False
    )

    @cached_property
    def parts(self) -> pd.DataFrame:
        return self._parts()


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


def build_shares(assignments: pd.DataFrame, first_month: int, months: int) -> ShareTable:
    columns = ["account_id", "role", "month", "payee_id", "share"]
    if assignments.empty or months <= 0:
        return ShareTable(pd.DataFrame(columns=columns), DAYS_DEN)
    last_month = first_month + months - 1
    split, split_den, largest_split = _split_numerators(assignments["split"])
    start_day = np.array([d.toordinal() for d in assignments["start"]], dtype=np.int64)
    end_day = np.array(
        [
            date.max.toordinal() if pd.isna(d) or d is None else d.toordinal()
            for d in assignments["end"]
        ],
        dtype=np.int64,
    )
    start_month = np.array([month_of(d) for d in assignments["start"]], dtype=np.int64)
    end_month = np.array(
        [last_month if pd.isna(d) or d is None else month_of(d) for d in assignments["end"]],
        dtype=np.int64,
    )
    lo = np.maximum(start_month, first_month)
    hi = np.minimum(end_month, last_month)
    counts = np.maximum(hi - lo + 1, 0)
    row = np.repeat(np.arange(len(assignments)), counts)
    month = lo[row] + (np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts))

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
    # grouped by integer codes of the names; the names go back on the (far fewer) groups
    codes = {name: pd.factorize(assignments[name]) for name in ("account_id", "role", "payee_id")}
    keys = ["account_id", "role", "month", "payee_id"]
    by_codes = pd.DataFrame(
        {
            "account_id": codes["account_id"][0][row],
            "role": codes["role"][0][row],
            "month": t,
            "payee_id": codes["payee_id"][0][row],
            "share": share,
        }
    )
    grouped = by_codes.groupby(keys, as_index=False, sort=False)["share"].sum()
    frame = grouped.assign(
        **{name: codes[name][1].take(grouped[name].to_numpy()) for name in codes}
    )

    def parts() -> pd.DataFrame:
        return pd.DataFrame(
            {
                "account_id": codes["account_id"][1].take(codes["account_id"][0][row]),
                "role": codes["role"][1].take(codes["role"][0][row]),
                "month": t,
                "payee_id": codes["payee_id"][1].take(codes["payee_id"][0][row]),
                "split": assignments["split"].astype(str).to_numpy(object)[row],
                "days": covered,
                "month_days": month_days[t],
            },
            columns=PART_COLUMNS,
        )

    return ShareTable(frame, DAYS_DEN * split_den, parts)
