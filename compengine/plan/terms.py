"""A plan's components in plain words, for the "plan terms" of a rep's statement.

A rep should be able to check a payout against the plan without reading YAML, so each
component becomes one sentence with its exact numbers: rates as exact percentages
(``money.format_rate``), amounts with grouping and two decimals (``money.format_cents``),
months as counts. The sentence says only what the plan file says; the engine's rules
behind it are spec section 4.
"""

from __future__ import annotations

from fractions import Fraction

from compengine.money import EXACT_RATE_PLACES, format_cents, format_rate
from compengine.plan.model import (
    Component,
    Expansion,
    FirstPurchase,
    PlanVersion,
    RampRealization,
    SustainedUsage,
)

TYPE_NAMES = {
    "first_purchase": "First purchase",
    "ramp_realization": "Ramp realization",
    "sustained_usage": "Sustained usage",
    "expansion": "Expansion",
}


def plan_title(plan: PlanVersion) -> str:
    """'AE usage-based plan FY27 (ae-usage v1)': the name a rep knows, the id payroll uses."""
    if plan.name and plan.name != plan.plan_id:
        return f"{plan.name} ({plan.plan_id} v{plan.version})"
    return f"{plan.plan_id} v{plan.version}"


def component_terms(plan: PlanVersion, component: Component) -> str:
    """One sentence: 'Ramp realization (AE): over a 6-month window with a linear curve, ...'."""
    head = f"{TYPE_NAMES[component.type]} ({component.role}): "
    if isinstance(component, FirstPurchase):
        body = _first_purchase(component)
    elif isinstance(component, RampRealization):
        body = _ramp(plan, component)
    elif isinstance(component, SustainedUsage):
        body = _sustained(plan, component)
    else:
        body = _expansion(plan, component)
    return f"{head}{body}."


def _pct(value: Fraction) -> str:
    return format_rate(value, EXACT_RATE_PLACES)


def _money(cents: int) -> str:
    return format_cents(cents, grouping=True)


def _months(count: int) -> str:
    return "1 month" if count == 1 else f"{count} months"


def _first_purchase(part: FirstPurchase) -> str:
    if part.flat_cents is not None:
        text = f"{_money(part.flat_cents)} once the contract makes its first purchase"
    else:
        assert part.rate is not None
        text = (
            f"{_pct(part.rate)} of the contract's monthly commitment once it makes its first "
            "purchase"
        )
    if part.clawback is not None:
        run = part.clawback.churn_months
        gap = "a month" if run == 1 else f"{run} months in a row"
        text += (
            f"; taken back if it then has no usage for {gap} within "
            f"{_months(part.clawback.within_months)} of the first purchase"
        )
    return text


def _curve(part: RampRealization, window: int) -> str:
    if part.curve == "linear":
        return (
            f"a linear curve (the monthly target grows from 1/{window} of the monthly "
            "commitment to all of it)"
            if window > 1
            else "a linear curve (the monthly target is the monthly commitment)"
        )
    if part.curve == "flat":
        return "a flat curve (the monthly target is the monthly commitment)"
    steps = ", ".join(_pct(step) for step in part.curve)
    return f"a curve of {steps} of the monthly commitment, month by month"


def _ramp_rate(part: RampRealization) -> str:
    if part.tiers is None:
        assert part.rate is not None
        return f"{_pct(part.rate)} of realized usage"
    tiers = part.tiers.rates
    if len(tiers) == 1:
        return f"{_pct(tiers[0].rate)} of realized usage"
    if part.tiers.mode == "whole":
        steps = [f"{_pct(tiers[0].rate)} below {_pct(tiers[1].start)}"]
        steps += [f"{_pct(t.rate)} from {_pct(t.start)}" for t in tiers[1:]]
        return (
            "one rate on all realized usage, set by attainment of the cumulative target: "
            + ", ".join(steps)
        )
    first = f"up to {_pct(tiers[1].start)} of the cumulative target"
    steps = [f"{_pct(tiers[0].rate)} of realized usage {first}"]
    for tier, following in zip(tiers[1:], [*tiers[2:], None], strict=True):
        part = (
            f"from {_pct(tier.start)} to {_pct(following.start)}"
            if following
            else f"above {_pct(tier.start)}"
        )
        steps.append(f"{_pct(tier.rate)} of the part {part}")
    return ", ".join(steps)


def _ramp(plan: PlanVersion, part: RampRealization) -> str:
    window = plan.lifecycle.window_months
    text = (
        f"over a {window}-month window from the first purchase with {_curve(part, window)}, "
        f"{_ramp_rate(part)}"
    )
    if part.cap_cents is not None:
        text += f"; capped at {_money(part.cap_cents)} per contract"
    if part.bonus is not None:
        text += (
            f"; bonus {_money(part.bonus.amount_cents)} when attainment at the window's end is "
            f"at least {_pct(part.bonus.attainment_at_least)}"
        )
    return text


def _baseline(plan: PlanVersion) -> str:
    months = plan.lifecycle.baseline_months
    last = "month" if months == 1 else f"{months} months"
    return f"(baseline: the average monthly usage of the window's last {last})"


def _after_window(plan: PlanVersion, duration: int | None) -> str:
    window = f"the {plan.lifecycle.window_months}-month ramp window"
    return f"for {_months(duration)} after {window}" if duration else f"every month after {window}"


def _sustained(plan: PlanVersion, part: SustainedUsage) -> str:
    text = (
        f"{_after_window(plan, part.duration_months)}, {_pct(part.rate)} of the month's usage "
        "up to the baseline"
    )
    if part.min_retention:
        text += f", in months whose usage is at least {_pct(part.min_retention)} of the baseline"
    return f"{text} {_baseline(plan)}"


def _expansion(plan: PlanVersion, part: Expansion) -> str:
    above = f"the baseline plus {_pct(part.threshold)}" if part.threshold else "the baseline"
    return (
        f"{_after_window(plan, None)}, {_pct(part.rate)} of the month's usage above {above} "
        f"{_baseline(plan)}"
    )
