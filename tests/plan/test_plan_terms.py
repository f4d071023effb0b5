"""Plan terms in plain words: one sentence per component, with the plan file's exact numbers."""

from __future__ import annotations

from fractions import Fraction

import pytest

from compengine.plan.load import load_plans
from compengine.plan.model import (
    Bonus,
    Clawback,
    Expansion,
    FirstPurchase,
    RampRealization,
    SustainedUsage,
    Tier,
    Tiers,
)
from compengine.plan.terms import component_terms, plan_title
from tests.builders import plan


@pytest.fixture(scope="module")
def samples():
    return {p.plan_id: p for p in load_plans(["compengine/sample/plans"])}


def terms(*components, **options) -> list[str]:
    version = plan(*components, **options)
    return [component_terms(version, c) for c in version.components]


def test_sample_ae_plan(samples):
    ae = samples["ae-usage"]
    assert plan_title(ae) == "AE usage-based plan FY27 (ae-usage v1)"
    assert [component_terms(ae, c) for c in ae.components] == [
        "First purchase (AE): 500.00 once the contract makes its first purchase; taken back if "
        "it then has no usage for 2 months in a row within 6 months of the first purchase.",
        "Ramp realization (AE): over a 6-month window from the first purchase with a linear "
        "curve (the monthly target grows from 1/6 of the monthly commitment to all of it), "
        "3% of realized usage up to 100% of the cumulative target, 6% of the part from 100% to "
        "150%, 8% of the part above 150%; capped at 20,000.00 per contract; bonus 1,000.00 "
        "when attainment at the window's end is at least 100%.",
        "Expansion (AE): every month after the 6-month ramp window, 4% of the month's usage "
        "above the baseline plus 10% (baseline: the average monthly usage of the window's last "
        "3 months).",
    ]


def test_sample_csm_plan(samples):
    csm = samples["csm-sustain"]
    assert plan_title(csm) == "CSM sustained usage FY27 (csm-sustain v1)"
    assert component_terms(csm, csm.components[0]) == (
        "Sustained usage (CSM): for 12 months after the 6-month ramp window, 2% of the month's "
        "usage up to the baseline, in months whose usage is at least 90% of the baseline "
        "(baseline: the average monthly usage of the window's last 3 months)."
    )


def test_title_without_a_name():
    assert plan_title(plan(plan_id="csm", version=3)) == "csm v3"


def test_first_purchase_rate_and_single_month_clawback():
    (text,) = terms(FirstPurchase("fp", "AE", rate=Fraction("0.5"), clawback=Clawback(3, 1)))
    assert text == (
        "First purchase (AE): 50% of the contract's monthly commitment once it makes its first "
        "purchase; taken back if it then has no usage for a month within 3 months of the first "
        "purchase."
    )


def test_first_purchase_without_clawback_and_large_flat():
    (text,) = terms(FirstPurchase("fp", "AE", flat_cents=123_456_789_01))
    assert text == "First purchase (AE): 123,456,789.01 once the contract makes its first purchase."


def test_ramp_rate_flat_curve_no_cap():
    (text,) = terms(RampRealization("r", "AM", "flat", Fraction("0.05")), window=3)
    assert text == (
        "Ramp realization (AM): over a 3-month window from the first purchase with a flat curve "
        "(the monthly target is the monthly commitment), 5% of realized usage."
    )


def test_ramp_whole_tiers_and_list_curve():
    tiers = Tiers(
        "whole", (Tier(Fraction(0), Fraction("0.02")), Tier(Fraction("0.8"), Fraction("0.04")))
    )
    curve = (Fraction("0.25"), Fraction("0.3333"), Fraction("1.2"))
    (text,) = terms(
        RampRealization("r", "AE", curve, tiers=tiers, bonus=Bonus(Fraction("1.25"), 50)),
        window=3,
    )
    assert text == (
        "Ramp realization (AE): over a 3-month window from the first purchase with a curve of "
        "25%, 33.33%, 120% of the monthly commitment, month by month, one rate on all realized "
        "usage, set by attainment of the cumulative target: 2% below 80%, 4% from 80%; "
        "bonus 0.50 when attainment at the window's end is at least 125%."
    )


def test_ramp_single_tier_and_one_month_linear_window():
    tiers = Tiers("marginal", (Tier(Fraction(0), Fraction("0.03")),))
    (text,) = terms(RampRealization("r", "AE", tiers=tiers, cap_cents=0), window=1, baseline=1)
    assert text == (
        "Ramp realization (AE): over a 1-month window from the first purchase with a linear "
        "curve (the monthly target is the monthly commitment), 3% of realized usage; capped at "
        "0.00 per contract."
    )


def test_twelve_decimal_rates_are_exact():
    """No rounding in the terms: every place a plan file can hold is printed."""
    rate = Fraction("0.123456789012")
    texts = terms(
        SustainedUsage("s", "CSM", rate, Fraction("0.000000000001")),
        Expansion("e", "AE", Fraction("0.000000000001")),
    )
    assert "12.3456789012% of the month's usage" in texts[0]
    assert "at least 0.0000000001% of the baseline" in texts[0]
    assert "0.0000000001% of the month's usage above the baseline (" in texts[1]


def test_sustained_without_minimum_or_end_and_one_month_baseline():
    (text,) = terms(SustainedUsage("s", "CSM", Fraction("0.02")), window=2, baseline=1)
    assert text == (
        "Sustained usage (CSM): every month after the 2-month ramp window, 2% of the month's "
        "usage up to the baseline (baseline: the average monthly usage of the window's last "
        "month)."
    )


def test_sustained_for_one_month():
    (text,) = terms(SustainedUsage("s", "CSM", Fraction("0.02"), duration_months=1))
    assert text.startswith("Sustained usage (CSM): for 1 month after the 6-month ramp window,")
