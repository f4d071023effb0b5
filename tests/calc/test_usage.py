"""U(c, m): usage by contract scope and month."""

import pytest

from compengine.calc.usage import build_grid
from compengine.errors import UserError
from compengine.months import parse_period
from tests.builders import snapshot


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
