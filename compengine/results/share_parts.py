"""A payee's share, shown by its parts: split x days, month by month (spec section 5).

e.g. ``your share 51.61% (split 100% x 16/31 days) of the 300.00 earned in 2027-05``
(with a multiplication sign).
Months with the same share are told once, as a range; a share made of several
assignment rows shows each (``split 50% + split 100% x 10/31 days``). Only lines whose
payee did not receive all of the contract's earnings get this clause.
"""

from __future__ import annotations

from fractions import Fraction
from functools import lru_cache

import pandas as pd

from compengine.crediting.shares import ShareTable
from compengine.money import format_rate, parse_decimal
from compengine.months import format_period
from compengine.results.explain import exact, money, percent

TIMES = "\N{MULTIPLICATION SIGN}"
MAX_GROUPS = 4  # more month groups than this are counted, not listed

Key = tuple[str, int]  # (payee_id, grid row)


@lru_cache(maxsize=1024)
def _split(text: str) -> Fraction:
    return parse_decimal(text)


def _share(value: Fraction) -> str:
    """'100%', '50%', '51.61%': two decimals, without '.00'."""
    return percent(value).replace(".00%", "%")


def _part_text(split: str, days: int, month_days: int) -> str:
    days_text = "" if days == month_days else f" {TIMES} {days}/{month_days} days"
    return f"split {format_rate(_split(split))}{days_text}"


def _parts_by_cell(cells: pd.DataFrame, shares: ShareTable) -> dict[tuple[int, int], tuple]:
    """(share cell, payee code) -> the parts (split, days, month days) of that share."""
    keys = cells[["share_cell", "payee"]].rename(columns={"share_cell": "cell"})
    found = shares.parts_of(keys)
    result: dict[tuple[int, int], tuple] = {}
    for cell, payee, split, days, month_days in zip(
        *(found[name].tolist() for name in ("cell", "payee", "split", "days", "month_days")),
        strict=True,
    ):
        result[(cell, payee)] = (*result.get((cell, payee), ()), (str(split), days, month_days))
    return result


def _months(first: int, last: int) -> str:
    return (
        format_period(first)
        if first == last
        else f"{format_period(first)} to {format_period(last)}"
    )


def _clause(cells: list[tuple], first_month: int) -> tuple[str, list[dict]]:
    """cells: (month, credit month, share, delta, parts) in month order, grid months."""

    def signature(cell):
        whole = tuple((split, None if d == m else (d, m)) for split, d, m in cell[4])
        return cell[2], whole, cell[1] != cell[0]

    groups: list[list[tuple]] = []
    for cell in cells:
        previous = groups[-1][-1] if groups else None
        if previous and signature(previous) == signature(cell) and previous[0] + 1 == cell[0]:
            groups[-1].append(cell)
        else:
            groups.append([cell])
    texts, lineage = [], []
    for group in groups:
        first, last = group[0][0] + first_month, group[-1][0] + first_month
        share, parts = group[0][2], group[0][4]
        earned = sum((cell[3] for cell in group), Fraction(0))
        plain = (
            share == 1
            and len(parts) == 1
            and parts[0][1] == parts[0][2]
            and _split(parts[0][0]) == 1
        )
        how = "" if plain else f" ({' + '.join(_part_text(*part) for part in parts)})"
        what = (
            f"the {money(earned)} earned in {_months(first, last)}"
            if earned >= 0
            else f"the {money(-earned)} taken back in {_months(first, last)}"
        )
        item = {
            "from": format_period(first),
            "to": format_period(last),
            "share": exact(share),
            "earned_cents": exact(earned),
            "parts": [
                {"split": s, "whole_month": True}
                if d == m
                else {"split": s, "days": d, "days_in_month": m}
                for s, d, m in parts
            ],
        }
        if group[0][1] != group[0][0]:
            credited_with = format_period(group[0][1] + first_month)
            what += f" (credited with the shares of {credited_with})"
            item["credited_with"] = credited_with
        texts.append(f"{_share(share)}{how} of {what}")
        lineage.append(item)
    shown = texts[:MAX_GROUPS]
    if len(texts) > MAX_GROUPS:
        shown.append(f"and {len(texts) - MAX_GROUPS} more")
    return f"your share {', '.join(shown)}", lineage


def share_clauses(
    holders: pd.DataFrame,
    shares: ShareTable,
    wanted: pd.DataFrame,
    *,
    first_month: int,
    delta_den: int,
) -> dict[Key, tuple[str, list[dict]]]:
    """The share clause of each wanted (payee_id, row), from its credited cells."""
    if wanted.empty:
        return {}
    cells = holders.merge(wanted[["payee_id", "row"]].drop_duplicates(), on=["payee_id", "row"])
    cells = cells.sort_values(["payee_id", "row", "month"], kind="stable")
    by_cell = _parts_by_cell(cells, shares)
    columns = ("payee_id", "row", "month", "credit_month", "share", "delta", "share_cell", "payee")
    items: dict[Key, list[tuple]] = {}  # one pass over plain lists: no frame per line
    for payee_id, row, month, credit_month, share, delta, share_cell, payee in zip(
        *(cells[name].tolist() for name in columns), strict=True
    ):
        items.setdefault((payee_id, int(row)), []).append(
            (
                int(month),
                int(credit_month),
                Fraction(int(share), shares.den),
                Fraction(int(delta), delta_den),
                by_cell.get((share_cell, payee), ()),
            )
        )
    return {key: _clause(cell_items, first_month) for key, cell_items in items.items()}
