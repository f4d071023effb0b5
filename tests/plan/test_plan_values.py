"""Plans load to exact values: the spec's example, the bundled samples, and the defaults."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from compengine.months import parse_period
from compengine.plan.load import load_plans
from compengine.plan.model import (
    Bonus,
    Clawback,
    Expansion,
    FirstPurchase,
    Lifecycle,
    RampRealization,
    SustainedUsage,
    Tier,
    Tiers,
)

REPO = Path(__file__).resolve().parents[2]
WORKED_EXAMPLE = REPO / "tests" / "data" / "worked_example" / "plan.yaml"


def test_the_spec_example_plan_loads_to_exact_values():
    (plan,) = load_plans([WORKED_EXAMPLE])
    assert (plan.plan_id, plan.version, plan.name, plan.currency) == (
        "ae-usage",
        1,
        "AE usage-based plan FY27",
        "USD",
    )
    assert plan.effective_from == parse_period("2027-01")
    assert plan.effective_to == parse_period("2027-12")
    assert plan.scope == (("segment", ("enterprise", "mid-market")),)
    assert plan.lifecycle == Lifecycle(window_months=6, baseline_months=3)
    assert plan.source == str(WORKED_EXAMPLE)
    assert plan.text == WORKED_EXAMPLE.read_text(encoding="utf-8")
    assert plan.components == (
        FirstPurchase(
            id="first-purchase",
            role="AE",
            flat_cents=50_000,
            clawback=Clawback(within_months=6, churn_months=2),
            line=9,
        ),
        RampRealization(
            id="ramp",
            role="AE",
            curve="linear",
            rate=Fraction(5, 100),
            tiers=Tiers(
                mode="marginal",
                rates=(
                    Tier(Fraction(0), Fraction(3, 100)),
                    Tier(Fraction(1), Fraction(6, 100)),
                    Tier(Fraction(3, 2), Fraction(8, 100)),
                ),
            ),
            cap_cents=2_000_000,
            bonus=Bonus(Fraction(1), 100_000),
            line=15,
        ),
        SustainedUsage(
            id="sustain",
            role="CSM",
            rate=Fraction(2, 100),
            min_retention=Fraction(9, 10),
            duration_months=12,
            line=29,
        ),
        Expansion(
            id="expansion",
            role="AE",
            rate=Fraction(4, 100),
            threshold=Fraction(1, 10),
            line=36,
        ),
    )


def test_the_bundled_sample_plans_load_in_name_order():
    ae, csm = load_plans([REPO / "compengine" / "sample" / "plans"])
    assert (ae.plan_id, ae.version, ae.effective_to) == ("ae-usage", 1, None)
    assert (csm.plan_id, csm.version, csm.effective_to) == ("csm-sustain", 1, None)
    for plan in (ae, csm):
        assert plan.effective_from == parse_period("2027-01")
        assert plan.scope == (("segment", ("enterprise", "mid-market")),)
        assert plan.lifecycle == Lifecycle(window_months=6, baseline_months=3)
    first_purchase, ramp, expansion = ae.components
    assert first_purchase.flat_cents == 50_000
    assert first_purchase.clawback == Clawback(within_months=6, churn_months=2)
    assert ramp.tiers.mode == "marginal"
    assert [tier.rate for tier in ramp.tiers.rates] == [
        Fraction(3, 100),
        Fraction(6, 100),
        Fraction(8, 100),
    ]
    assert (ramp.cap_cents, ramp.bonus) == (2_000_000, Bonus(Fraction(1), 100_000))
    assert (expansion.rate, expansion.threshold) == (Fraction(4, 100), Fraction(1, 10))
    assert csm.components == (
        SustainedUsage(
            id="sustain",
            role="CSM",
            rate=Fraction(2, 100),
            min_retention=Fraction(9, 10),
            duration_months=12,
            line=11,
        ),
    )


def test_defaults_are_filled_in_as_the_spec_says(write_plan):
    (plan,) = load_plans(
        [
            write_plan("""\
        plan: minimal
        version: 3
        effective: {from: 2027-04}
        lifecycle: {window_months: 2}
        components:
          - {id: won, type: first_purchase, role: AE, payout: {rate: 0.5},
             clawback: {within_months: 3}}
          - {id: ramp, type: ramp_realization, role: AE, tiers: {rates: [{from: 0, rate: 0.01}]}}
          - {id: keep, type: sustained_usage, role: CSM, rate: 0.02}
          - {id: grow, type: expansion, role: AE, rate: 0.04}
        """)
        ]
    )
    assert (plan.name, plan.currency, plan.effective_to, plan.scope) == ("minimal", "USD", None, ())
    assert plan.lifecycle == Lifecycle(window_months=2, baseline_months=2)
    won, ramp, keep, grow = plan.components
    assert (won.flat_cents, won.rate, won.clawback) == (None, Fraction(1, 2), Clawback(3, 1))
    assert (ramp.curve, ramp.rate, ramp.tiers.mode, ramp.cap_cents, ramp.bonus) == (
        "linear",
        None,
        "marginal",
        None,
        None,
    )
    assert (keep.min_retention, keep.duration_months) == (0, None)
    assert grow.threshold == 0
    assert [component.line for component in plan.components] == [6, 8, 9, 10]


def test_a_curve_list_and_whole_tiers_are_kept_exactly(write_plan):
    (plan,) = load_plans(
        [
            write_plan("""\
        plan: curved
        version: 1
        effective: {from: 2027-01}
        lifecycle: {window_months: 3, baseline_months: 1}
        components:
          - id: ramp
            type: ramp_realization
            role: AE
            curve: [0.25, 0.5, 1]
            tiers: {mode: whole, rates: [{from: 0, rate: 0.02}, {from: 0.8, rate: 0.04}]}
        """)
        ]
    )
    (ramp,) = plan.components
    assert ramp.curve == (Fraction(1, 4), Fraction(1, 2), Fraction(1))
    assert ramp.tiers == Tiers(
        "whole", (Tier(Fraction(0), Fraction(2, 100)), Tier(Fraction(4, 5), Fraction(4, 100)))
    )


def test_no_binary_float_survives_parsing(write_plan):
    (plan,) = load_plans(
        [
            write_plan("""\
        plan: exact
        version: 1
        effective: {from: 2027-01}
        lifecycle: {window_months: 6}
        components:
          - {id: keep, type: sustained_usage, role: CSM, rate: 0.1, min_retention: 0.2}
          - {id: grow, type: expansion, role: AE, rate: 0.333333333333, threshold: 0.7}
        """)
        ]
    )
    keep, grow = plan.components
    assert keep.rate == Fraction(1, 10)
    assert keep.rate + keep.min_retention == Fraction(3, 10)  # 0.1 + 0.2 != 0.3 in floats
    assert grow.rate == Fraction(333333333333, 10**12)
    assert not _floats_in(plan)


@settings(max_examples=60, deadline=None)
@given(st.decimals(min_value=0, max_value=10**6, places=12, allow_nan=False, allow_infinity=False))
def test_any_plain_decimal_rate_is_read_exactly(tmp_path_factory, rate):
    path = tmp_path_factory.mktemp("exact") / "plan.yaml"
    text = format(rate, "f")
    path.write_text(
        "plan: exact\nversion: 1\neffective: {from: 2027-01}\nlifecycle: {window_months: 6}\n"
        f"components:\n  - {{id: grow, type: expansion, role: AE, rate: {text}}}\n",
        encoding="utf-8",
    )
    (plan,) = load_plans([path])
    assert plan.components[0].rate == Fraction(Decimal(text))


def _floats_in(value: object) -> list[object]:
    if isinstance(value, float):
        return [value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = tuple(getattr(value, field.name) for field in dataclasses.fields(value))
    if isinstance(value, tuple):
        return [f for item in value for f in _floats_in(item)]
    return []
