"""Run warnings for usage no contract covers (spec section 8): one per account, product and
month, and compact when there are many."""

import pandas as pd

from compengine.calc.snapshot import USAGE_COLUMNS
from compengine.months import parse_period
from compengine.results.uncovered import SHOWN, uncovered_warnings


def frame(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=USAGE_COLUMNS)


def test_each_cell_is_one_warning_naming_account_product_month_and_amount():
    rows = [
        ("acme", "", parse_period("2026-12"), 123456),
        ("acme", "compute", parse_period("2027-01"), -250),
    ]
    assert uncovered_warnings(frame(rows)) == [
        "usage not covered by any contract: account 'acme', no product, 2026-12: 1,234.56",
        "usage not covered by any contract: account 'acme', product 'compute', 2027-01: -2.50",
    ]


def test_beyond_the_first_cells_the_rest_is_one_line_with_count_accounts_and_total():
    rows = [(f"a{n:03d}", "compute", parse_period("2027-01"), 100) for n in range(SHOWN + 250)]
    warnings = uncovered_warnings(frame(rows))
    assert len(warnings) == SHOWN + 1
    assert warnings[0].startswith("usage not covered by any contract: account 'a000'")
    assert warnings[-1] == (
        "usage not covered by any contract: 250 more account/product/month cells "
        "on 250 accounts, 250.00 in all"
    )


def test_nothing_uncovered_is_no_warning():
    assert uncovered_warnings(frame([])) == []
