"""Renewals and win-backs (spec sections 1 and 2): a new contract with its own first
purchase, window and baseline, while the ended one earns nothing on usage after its end."""

from fractions import Fraction

from compengine.plan.model import (
    Clawback,
    Expansion,
    FirstPurchase,
    RampRealization,
    SustainedUsage,
)
from tests.builders import Cycle, monthly, plan, snapshot

PLAN = plan(
    FirstPurchase("first-purchase", "AE", flat_cents=50000),
    RampRealization("ramp", "AE", "flat", Fraction("0.05")),
    SustainedUsage("sustain", "CSM", Fraction("0.02")),
    Expansion("expansion", "AE", Fraction("0.04")),
    window=2,
    baseline=1,
)
HOLDERS = [
    ("acme", "ae1", "AE", "2027-01-01", None, "1"),
    ("acme", "csm1", "CSM", "2027-01-01", None, "1"),
]
FLAT_USAGE = monthly("acme", "2027-01", *["1000"] * 8)


def lines_by_contract(cycle: Cycle, period: str) -> dict[tuple[str, str], str]:
    lines = cycle.run(period)
    return {
        (row.contract_id, row.component_id): f"{row.amount_cents / 100:.2f}"
        for row in lines.itertuples()
    }


def test_a_renewal_pays_its_own_first_purchase_ramp_and_sustained_usage():
    """k1 (commit 1,000) ends 2027-04-30; k2 (commit 2,000) renews it from May. Usage is
    1,000.00 every month. k1: F = January, window January-February, baseline 1,000.00,
    sustained usage in March and April, nothing after. k2: F = May, window May-June."""
    cycle = Cycle(
        snapshot(
            assignments=HOLDERS,
            contracts=[
                ("k1", "acme", "2027-01-10", "1000", "", "2027-04-30"),
                ("k2", "acme", "2027-05-03", "2000", ""),
            ],
            usage=FLAT_USAGE,
        ),
        [PLAN],
    )
    paid = {f"2027-{m:02d}": lines_by_contract(cycle, f"2027-{m:02d}") for m in range(1, 9)}
    assert paid["2027-01"] == {("k1", "first-purchase"): "500.00", ("k1", "ramp"): "50.00"}
    assert paid["2027-04"] == {("k1", "sustain"): "20.00"}
    assert paid["2027-05"] == {("k2", "first-purchase"): "500.00", ("k2", "ramp"): "50.00"}
    assert paid["2027-06"] == {("k2", "ramp"): "50.00"}
    assert paid["2027-07"] == {("k2", "sustain"): "20.00"}
    assert cycle.last.warnings == []


def test_a_win_back_after_a_gap_starts_afresh_and_the_gap_is_a_warning():
    """k1 ends mid-March (600.00 of March's 1,000.00 dated through the 15th); the account is
    won back by k2 in June. The rest of March, April and May are covered by no contract."""
    cycle = Cycle(
        snapshot(
            assignments=HOLDERS,
            contracts=[
                ("k1", "acme", "2027-01-10", "1000", "", "2027-03-15"),
                ("k2", "acme", "2027-06-20", "1000", ""),
            ],
            usage=FLAT_USAGE,
            end_month_usage={("k1", ""): "600"},
        ),
        [PLAN],
    )
    paid = {f"2027-{m:02d}": lines_by_contract(cycle, f"2027-{m:02d}") for m in range(1, 7)}
    assert paid["2027-03"] == {("k1", "sustain"): "12.00"}  # 0.02 x min(600, 1,000)
    assert paid["2027-04"] == {}
    assert paid["2027-06"] == {("k2", "first-purchase"): "500.00", ("k2", "ramp"): "50.00"}
    assert cycle.last.warnings == [
        "usage not covered by any contract: account 'acme', no product, 2027-03: 400.00",
        "usage not covered by any contract: account 'acme', no product, 2027-04: 1,000.00",
        "usage not covered by any contract: account 'acme', no product, 2027-05: 1,000.00",
    ]


def test_an_end_inside_the_clawback_range_takes_the_first_purchase_back():
    """Section 4 reads U, and U(k1, m) is 0 after k1's end: with a clawback of
    within 3 months, churn 1, a contract ending in its first month loses its first purchase
    the month after, whether or not the account renews."""
    clawing = plan(
        FirstPurchase("first-purchase", "AE", flat_cents=50000, clawback=Clawback(3, 1)),
        window=2,
    )
    cycle = Cycle(
        snapshot(
            assignments=HOLDERS,
            contracts=[
                ("k1", "acme", "2027-01-10", "1000", "", "2027-01-31"),
                ("k2", "acme", "2027-02-01", "1000", ""),
            ],
            usage=FLAT_USAGE,
        ),
        [clawing],
    )
    assert lines_by_contract(cycle, "2027-01") == {("k1", "first-purchase"): "500.00"}
    assert lines_by_contract(cycle, "2027-02") == {
        ("k1", "first-purchase"): "-500.00",
        ("k2", "first-purchase"): "500.00",
    }
