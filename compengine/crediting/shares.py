"""Each payee's share of a role on an account in each month (spec section 5).

share(p, m) = split x (days of m covered by the assignment) / (days in m), summed
over the payee's rows. Shares are integers over SHARE_DEN = 10^s x lcm(28..31), where
s is the most decimal places of any split, so that sums and comparisons with 1 are
exact integer operations.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from compengine.money import parse_decimal
from compengine.months import days_in, first_day, last_day, month_of

DAYS_DEN = math.lcm(28, 29, 30, 31)
PART_COLUMNS = ["account_id", "role", "month", "payee_id", "split", "days", "month_days"]


@dataclass
class ShareTable:
    """Rows (account_id, role, month, payee_id, share); month is a grid month.

    ``parts`` keeps what each share is made of, one row per assignment row and month
    (account_id, role, month, payee_id, split, days, month_days), so that a statement
    can show split x days instead of a bare percentage.
    """

    frame: pd.DataFrame
    den: int
    parts: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=PART_COLUMNS))


def _split_numerators(splits: pd.Series) -> tuple[np.ndarray, int]:
    """Splits as integers over their common denominator (each distinct text parsed once)."""
    codes, texts = pd.factorize(splits.astype(str))
    values = [parse_decimal(text) for text in texts]
    den = math.lcm(1, *(v.denominator for v in values))
    return np.array([int(v * den) for v in values], dtype=object)[codes], den


def build_shares(assignments: pd.DataFrame, first_month: int, months: int) -> ShareTable:
    columns = ["account_id", "role", "month", "payee_id", "share"]
    if assignments.empty or months <= 0:
        return ShareTable(pd.DataFrame(columns=columns), DAYS_DEN)
    last_month = first_month + months - 1
    split, split_den = _split_numerators(assignments["split"])
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
    share = split[row] * covered.astype(object) * (DAYS_DEN // month_days[t]).astype(object)

    frame = pd.DataFrame(
        {
            "account_id": assignments["account_id"].to_numpy(object)[row],
            "role": assignments["role"].to_numpy(object)[row],
            "month": t,
            "payee_id": assignments["payee_id"].to_numpy(object)[row],
            "share": share,
        }
    )
    kept = covered > 0
    parts = frame[kept].assign(
        split=assignments["split"].astype(str).to_numpy(object)[row][kept],
        days=covered[kept],
        month_days=month_days[t][kept],
    )[PART_COLUMNS]
    frame = frame[kept]
    frame = frame.groupby(["account_id", "role", "month", "payee_id"], as_index=False, sort=False)[
        "share"
    ].sum()
    return ShareTable(frame, DAYS_DEN * split_den, parts.reset_index(drop=True))
