"""U(c, m): usage by contract scope and month."""

import pytest

from compengine.calc.usage import build_grid
from compengine.errors import UserError
from compengine.months import parse_period
from tests.builders import monthly, snapshot


def test_a_product_named_twice_in_a_scope_counts_once():
    data = snapshot(
        contracts=[("k1", "acme", "2027-01-01", "1000", "compute;compute")],
        usage={("acme", "compute", "2027-01"): "100", ("acme", "storage", "2027-01"): "7"},
    )
    assert build_grid(data, parse_period("2027-01")).usage.tolist() == [[10000]]


def test_entries_without_product_belong_only_to_all_products_contracts():
    data = snapshot(
        contracts=[
            ("k1", "acme", "2027-01-01", "1000", ""),
            ("k2", "beta", "2027-01-01", "1000", "compute"),
        ],
        usage={("acme", "", "2027-01"): "5", ("beta", "", "2027-01"): "9"},
    )
    assert build_grid(data, parse_period("2027-01")).usage.tolist() == [[500], [0]]


def test_sums_too_large_for_exact_integers_are_refused_not_wrapped():
    usage = {("acme", f"p{i}", "2027-01"): "999999999999999.99" for i in range(100)}
    data = snapshot(contracts=[("k1", "acme", "2027-01-01", "1000", "")], usage=usage)
    with pytest.raises(UserError, match="compengine cannot compute with sums that large"):
        build_grid(data, parse_period("2027-01"))


# --- Coverage by date (spec sections 1 and 2): a contract covers its scope from the first
# day of its signing month through ends_on.


def uncovered(grid) -> list[tuple]:
    return [tuple(row) for row in grid.uncovered.itertuples(index=False)]


def test_no_usage_counts_before_the_signing_month_and_it_is_uncovered():
    data = snapshot(
        contracts=[
            ("k1", "acme", "2027-01-10", "1000", ""),
            ("k2", "beta", "2027-03-20", "1000", ""),
        ],
        usage={
            **monthly("beta", "2027-01", "100", "200", "300"),
            ("acme", "", "2027-01"): "5",
        },
    )
    grid = build_grid(data, parse_period("2027-03"))
    # The signing month keeps its entries dated before signed_on (2027-03-01..19 too).
    assert grid.usage.tolist() == [[500, 0, 0], [0, 0, 30000]]
    assert uncovered(grid) == [
        ("beta", "", parse_period("2027-01"), 10000),
        ("beta", "", parse_period("2027-02"), 20000),
    ]


def test_no_usage_counts_after_a_month_end_ends_on():
    data = snapshot(
        contracts=[("k1", "acme", "2027-01-10", "1000", "", "2027-02-28")],
        usage=monthly("acme", "2027-01", "100", "200", "300", "400"),
    )
    grid = build_grid(data, parse_period("2027-04"))
    assert grid.usage.tolist() == [[10000, 20000, 0, 0]]
    assert [(m, cents) for _, _, m, cents in uncovered(grid)] == [
        (parse_period("2027-03"), 30000),
        (parse_period("2027-04"), 40000),
    ]


def test_a_mid_month_end_counts_the_entries_dated_through_ends_on():
    """k1 ends on 2027-02-10: of February's 200.00 (all products), 80.00 is dated through the
    10th (50.00 compute, 30.00 storage); the rest of February is covered by nobody."""
    data = snapshot(
        contracts=[("k1", "acme", "2027-01-10", "1000", "", "2027-02-10")],
        usage={
            ("acme", "compute", "2027-01"): "100",
            ("acme", "compute", "2027-02"): "120",
            ("acme", "storage", "2027-02"): "80",
        },
        end_month_usage={("k1", "compute"): "50", ("k1", "storage"): "30"},
    )
    grid = build_grid(data, parse_period("2027-03"))
    assert grid.usage.tolist() == [[10000, 8000, 0]]
    assert uncovered(grid) == [
        ("acme", "compute", parse_period("2027-02"), 7000),
        ("acme", "storage", parse_period("2027-02"), 5000),
    ]


def test_a_mid_month_end_of_a_scoped_contract_takes_only_its_products():
    data = snapshot(
        contracts=[("k1", "acme", "2027-01-10", "1000", "compute", "2027-01-20")],
        usage={("acme", "compute", "2027-01"): "100", ("acme", "storage", "2027-01"): "7"},
        end_month_usage={("k1", "compute"): "60", ("k1", "storage"): "7"},
    )
    grid = build_grid(data, parse_period("2027-01"))
    assert grid.usage.tolist() == [[6000]]
    assert uncovered(grid) == [
        ("acme", "compute", parse_period("2027-01"), 4000),
        ("acme", "storage", parse_period("2027-01"), 700),
    ]


def test_an_end_after_the_period_changes_nothing_yet():
    data = snapshot(
        contracts=[("k1", "acme", "2027-01-10", "1000", "", "2027-03-15")],
        usage=monthly("acme", "2027-01", "100", "200"),
        end_month_usage={("k1", ""): "1"},
    )
    grid = build_grid(data, parse_period("2027-02"))
    assert grid.usage.tolist() == [[10000, 20000]]
    assert uncovered(grid) == []


def test_a_renewal_takes_over_the_month_after_the_end_and_a_win_back_leaves_a_gap():
    """k1 ends 2027-02-28, renewed by k2 (signed 2027-03-15: March is all k2's); k2 ends
    mid-April, k3 wins the account back in June: May and the rest of April are uncovered."""
    data = snapshot(
        contracts=[
            ("k1", "acme", "2027-01-10", "1000", "", "2027-02-28"),
            ("k2", "acme", "2027-03-15", "1000", "", "2027-04-10"),
            ("k3", "acme", "2027-06-02", "500", ""),
        ],
        usage=monthly("acme", "2027-01", "100", "200", "300", "400", "500", "600"),
        end_month_usage={("k2", ""): "150"},
    )
    grid = build_grid(data, parse_period("2027-06"))
    assert grid.usage.tolist() == [
        [10000, 20000, 0, 0, 0, 0],
        [0, 0, 30000, 15000, 0, 0],
        [0, 0, 0, 0, 0, 60000],
    ]
    assert [(m, cents) for _, _, m, cents in uncovered(grid)] == [
        (parse_period("2027-04"), 25000),
        (parse_period("2027-05"), 50000),
    ]
    assert [grid.first_month + f for f in grid.first_purchase.tolist()] == [
        parse_period(p) for p in ("2027-01", "2027-03", "2027-06")
    ]
