"""Ramp windows from the data (spec section 12).

A contract's history runs from its first purchase month F to the latest month of the
ledger (or its ends_on month, if earlier), months without usage included. Its plateau is
the mean usage of the history's last 3 months; its ramp length the first window month from
which every month reaches 90 % of the plateau. Per group, the nearest-rank percentiles of
the ramp lengths suggest a window_months, and the mean of U / plateau by window month is
the group's typical ramp curve. Usage comes from the engine's grid, so coverage is what
`run` pays on; every ratio is an exact Fraction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

import numpy as np

from compengine.analytics.groups import field_groups
from compengine.calc.snapshot import LedgerSnapshot
from compengine.calc.usage import OPEN_END, build_grid, coverage
from compengine.errors import UserError

PLATEAU_MONTHS = 3
REACHED = Fraction(9, 10)  # a month has ramped when it reaches 90 % of the plateau
MIN_HISTORY_LOW, MIN_HISTORY_HIGH = 3, 1200
ALL_GROUP = "all"
PERCENTILES = (Fraction(1, 4), Fraction(1, 2), Fraction(3, 4))


class WindowsBy(StrEnum):
    segment = "segment"
    region = "region"


@dataclass(frozen=True)
class ContractHistory:
    """One contract's ramp as the data shows it; ramp_length None: it never settled."""

    contract_id: str
    account_id: str
    group: str
    first_month: int  # month index of F
    history_months: int
    plateau: Fraction  # cents: mean of the last 3 months
    ramp_length: int | None
    curve: tuple[Fraction, ...]  # U / plateau for window months 1 .. min_history


@dataclass(frozen=True)
class WindowGroup:
    group: str
    contracts: int
    p25: int
    p50: int
    p75: int
    curve: tuple[Fraction, ...]  # mean U / plateau by window month 1 .. min_history

    @property
    def suggested_window(self) -> int:
        return self.p50


@dataclass(frozen=True)
class Windows:
    min_history: int
    by: WindowsBy | None
    histories: tuple[ContractHistory, ...]  # every contract with enough history
    groups: tuple[WindowGroup, ...]  # groups with at least one contract used, by name


def check_min_history(value: int) -> int:
    if not MIN_HISTORY_LOW <= value <= MIN_HISTORY_HIGH:
        raise UserError.single(
            f"--min-history: {value} is not between {MIN_HISTORY_LOW} and {MIN_HISTORY_HIGH} months"
        )
    return value


def ramp_length(history: np.ndarray) -> int | None:
    """Smallest k with U_j >= 0.9 x plateau for every j >= k (1-based); None when the
    plateau is <= 0 or the last month itself falls short."""
    plateau_sum = int(history[-PLATEAU_MONTHS:].sum())
    if plateau_sum <= 0:
        return None
    # U >= 0.9 x S / 3  <=>  10 U >= 3 S, in integers
    short = np.flatnonzero(10 * history < 3 * plateau_sum)
    if short.size and short[-1] == history.size - 1:
        return None
    return int(short[-1]) + 2 if short.size else 1


def _group_names(snapshot: LedgerSnapshot, accounts: np.ndarray, by: WindowsBy | None) -> list[str]:
    if by is None:
        return [ALL_GROUP] * len(accounts)
    return field_groups(snapshot.accounts, accounts, by.value)


def contract_histories(
    snapshot: LedgerSnapshot, min_history: int, by: WindowsBy | None = None
) -> list[ContractHistory]:
    """Every contract with a first purchase and at least `min_history` months of history."""
    if snapshot.monthly_usage.empty:
        return []
    latest = int(snapshot.monthly_usage["month"].max())
    grid = build_grid(snapshot, latest)
    ordered = snapshot.contracts.sort_values("contract_id", kind="stable")
    ends = coverage(ordered.reset_index(drop=True)).end
    last = np.minimum(np.where(ends == OPEN_END, latest, ends), latest) - grid.first_month
    groups = _group_names(snapshot, grid.account_ids, by)
    result = []
    for row in np.flatnonzero(grid.has_first):
        first = int(grid.first_purchase[row])
        if last[row] - first + 1 < min_history:
            continue
        history = grid.usage[row, first : last[row] + 1]
        plateau = Fraction(int(history[-PLATEAU_MONTHS:].sum()), PLATEAU_MONTHS)
        result.append(
            ContractHistory(
                contract_id=str(grid.contract_ids[row]),
                account_id=str(grid.account_ids[row]),
                group=groups[row],
                first_month=grid.first_month + first,
                history_months=int(history.size),
                plateau=plateau,
                ramp_length=ramp_length(history),
                curve=tuple(Fraction(int(u)) / plateau for u in history[:min_history])
                if plateau > 0
                else (),
            )
        )
    return result


def nearest_rank(sorted_values: list[int], p: Fraction) -> int:
    """The value at rank ceil(p x n) of the sorted values (1-based)."""
    n = len(sorted_values)
    rank = max(1, -(-(p.numerator * n) // p.denominator))
    return sorted_values[rank - 1]


def summarize(group: str, histories: Iterable[ContractHistory]) -> WindowGroup | None:
    """Percentiles and mean curve of the contracts that settled; None if none did."""
    used = [h for h in histories if h.ramp_length is not None]
    if not used:
        return None
    lengths = sorted(h.ramp_length for h in used if h.ramp_length is not None)
    p25, p50, p75 = (nearest_rank(lengths, p) for p in PERCENTILES)
    width = min(len(h.curve) for h in used)
    curve = tuple(sum((h.curve[k] for h in used), Fraction(0)) / len(used) for k in range(width))
    return WindowGroup(group, len(used), p25, p50, p75, curve)


def compute_windows(
    snapshot: LedgerSnapshot, min_history: int = 12, by: WindowsBy | None = None
) -> Windows:
    check_min_history(min_history)
    histories = contract_histories(snapshot, min_history, by)
    by_group: dict[str, list[ContractHistory]] = defaultdict(list)
    for history in histories:
        by_group[history.group].append(history)
    groups = [summarize(name, by_group[name]) for name in sorted(by_group)]
    return Windows(min_history, by, tuple(histories), tuple(g for g in groups if g is not None))


def suggestion_for(
    histories: Iterable[ContractHistory], wanted: Callable[[str], bool]
) -> WindowGroup | None:
    """The suggestion over the contracts whose account `wanted` accepts (a plan's scope)."""
    return summarize("scope", (h for h in histories if wanted(h.account_id)))
