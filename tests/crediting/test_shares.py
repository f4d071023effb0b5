"""Shares: split x days covered / days in month, summed per payee."""

from datetime import date
from fractions import Fraction

import numpy as np
import pandas as pd

from compengine.calc.snapshot import ASSIGNMENT_COLUMNS
from compengine.crediting.shares import DAYS_DEN, INT64_MAX, build_shares, share_dtype
from compengine.months import parse_period

JAN = parse_period("2027-01")


def shares(*rows):
    frame = pd.DataFrame(
        [
            (a, p, r, date.fromisoformat(s), date.fromisoformat(e) if e else None, split)
            for a, p, r, s, e, split in rows
        ],
        columns=ASSIGNMENT_COLUMNS,
    )
    table = build_shares(frame, JAN, 2)
    return {
        (row.payee_id, row.month): Fraction(int(row.share), table.den)
        for row in table.frame.itertuples()
    }


def test_mid_month_handover_prorates_by_days():
    result = shares(
        ("acme", "csm1", "CSM", "2027-01-01", "2027-01-10", "1"),
        ("acme", "csm2", "CSM", "2027-01-11", None, "1"),
    )
    assert result[("csm1", 0)] == Fraction(10, 31)
    assert result[("csm2", 0)] == Fraction(21, 31)
    assert result[("csm2", 1)] == 1
    assert ("csm1", 1) not in result


def test_split_times_days_and_overlapping_rows_of_one_payee_add_up():
    result = shares(
        ("acme", "ae1", "AE", "2027-02-01", None, "0.3333"),
        ("acme", "ae1", "AE", "2027-02-15", "2027-02-28", "0.5"),
    )
    assert result[("ae1", 1)] == Fraction(3333, 10000) + Fraction(1, 2) * Fraction(14, 28)


def test_shares_are_64_bit_integers_up_to_the_proven_bound_and_python_integers_past_it():
    per_share = 31 * (DAYS_DEN // 28)  # the largest share of a split numerator of 1
    rows = 1_000
    largest = INT64_MAX // (per_share * rows)
    assert share_dtype(largest, rows) is np.int64
    assert share_dtype(largest + 1, rows) is object
    assert share_dtype(-(largest + 1), rows) is object


def test_splits_with_twelve_decimals_on_many_rows_take_python_integers_and_stay_exact():
    """Splits may have 12 decimal places (the loader's limit): over 22 or more assignment
    rows their shares could pass 64 bits, so Python integers are used; same answer."""
    split = "0.333333333333"
    others = [(f"other{i}", "ae2", "AE", "2027-01-01", None, "1") for i in range(30)]
    many = shares(("acme", "ae1", "AE", "2027-01-11", None, split), *others)
    one = shares(("acme", "ae1", "AE", "2027-01-11", None, split))
    assert many[("ae1", 0)] == one[("ae1", 0)] == Fraction(split) * Fraction(21, 31)


def test_the_share_column_is_64_bit_when_the_splits_allow_it():
    row = ("acme", "ae1", "AE", date(2027, 1, 1), None, "0.5")
    frame = pd.DataFrame([row], columns=ASSIGNMENT_COLUMNS)
    assert build_shares(frame, JAN, 2).frame["share"].dtype == np.int64
    frame = pd.DataFrame([row] * 30, columns=ASSIGNMENT_COLUMNS).assign(split="0.333333333333")
    table = build_shares(frame, JAN, 2)
    january = table.frame[table.frame["month"] == 0]["share"]
    assert [Fraction(int(x), table.den) for x in january] == [30 * Fraction("0.333333333333")]


def _table(*rows):
    return build_shares(pd.DataFrame(list(rows), columns=ASSIGNMENT_COLUMNS), JAN, 2)


def test_assignments_from_the_first_to_the_last_day_of_the_calendar_cover_every_month():
    table = _table(
        ("acme", "ae1", "AE", date(1, 1, 1), date.max, "1"),
        ("acme", "csm1", "CSM", date(2027, 1, 1), None, "1"),
        ("acme", "csm2", "CSM", date(2027, 2, 1), pd.NaT, "0.5"),
    )
    shares = {
        (row.payee_id, row.month): Fraction(int(row.share), table.den)
        for row in table.frame.itertuples()
    }
    assert shares == {
        ("ae1", 0): 1,
        ("ae1", 1): 1,
        ("csm1", 0): 1,
        ("csm1", 1): 1,
        ("csm2", 1): Fraction(1, 2),
    }


def test_a_cell_finds_each_of_its_holders_and_an_unknown_account_or_role_none():
    table = _table(
        ("acme", "ae1", "AE", date(2027, 1, 1), None, "0.6"),
        ("acme", "ae2", "AE", date(2027, 1, 1), None, "0.4"),
        ("globex", "ae1", "AE", date(2027, 2, 1), None, "1"),
    )
    cells = table.cells_of(
        np.array(["acme", "globex", "globex", "initech", "acme", "acme", "acme"], dtype=object),
        np.array(["AE", "AE", "AE", "AE", "CSM", "AE", "AE"], dtype=object),
        np.array([1, 0, 1, 1, 1, 2, -1]),  # the table's months are 0 and 1
    )

    which, rows = table.holders_of(cells)

    payees = table.payees.take(table.cells["payee"].to_numpy()[rows])
    shares = [Fraction(int(x), table.den) for x in table.cells["share"].to_numpy()[rows]]
    assert list(zip(which, payees, shares, strict=True)) == [
        (0, "ae1", Fraction(3, 5)),
        (0, "ae2", Fraction(2, 5)),
        (2, "ae1", 1),  # globex has no holder in January; initech and acme's CSM none at all
    ]
    assert list(cells[3:]) == [-1, -1, -1, -1]
