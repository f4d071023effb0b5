"""Shares: split x days covered / days in month, summed per payee."""

from datetime import date
from fractions import Fraction

import pandas as pd

from compengine.calc.snapshot import ASSIGNMENT_COLUMNS
from compengine.crediting.shares import build_shares
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
