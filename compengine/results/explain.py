"""The sentence behind every payout line: which usage, which plan clause, which tier.

e.g. ``ramp month 3/6: realized 12,400.00 of 15,000.00 target (82.67%), marginal tiers
-> earned to date 620.00, paid before 400.00, payout 220.00``.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

import numpy as np

from compengine.calc.earnings import ComponentEarnings
from compengine.calc.usage import ContractGrid
from compengine.calc.versions import ComponentPlan
from compengine.money import format_cents, round_cents, round_half_away
from compengine.months import format_period
from compengine.plan.model import Expansion, FirstPurchase, RampRealization, SustainedUsage


@dataclass
class Explanation:
    plan: ComponentPlan
    earnings: ComponentEarnings
    grid: ContractGrid
    row: int
    payee_earned: Fraction  # this payee's exact earned to date, in cents
    contract_earned: Fraction  # E(c, P) of the component, in cents
    earned_cents: int
    paid_cents: int
    amount_cents: int


def money(cents: Fraction | int) -> str:
    return format_cents(round_cents(Fraction(cents)), grouping=True)


def percent(value: Fraction) -> str:
    """Two decimals, half away from zero: 0.82666 -> '82.67%'."""
    return f"{format_cents(round_cents(value * 10000))}%"


def _decimal(units: int, places: int) -> str:
    """'12.345' from (12345, 3), exactly."""
    sign, digits = ("-" if units < 0 else ""), str(abs(units)).rjust(places + 1, "0")
    return (
        f"{sign}{digits[: len(digits) - places]}.{digits[len(digits) - places :]}"
        if places
        else f"{sign}{digits}"
    )


@lru_cache(maxsize=4096)
def rate(value: Fraction) -> str:
    """A plan rate as an exact percentage: 0.0125 -> '1.25%' (rounded to 6 places, marked '~',
    for the rare rate with no short decimal form)."""
    scaled = value * 100
    for places in range(7):
        units = scaled * 10**places
        if units.denominator == 1:
            return f"{_decimal(int(units), places)}%"
    units = scaled * 10**6
    return f"~{_decimal(round_half_away(units.numerator, units.denominator), 6)}%"


def _version_index(e: Explanation) -> int:
    applied = np.flatnonzero(e.earnings.version[e.row] >= 0)
    return int(e.earnings.version[e.row, applied[-1]]) if applied.size else -1


def _first_purchase(e: Explanation, part: FirstPurchase) -> str:
    first = format_period(e.grid.first_month + int(e.grid.first_purchase[e.row]))
    if part.flat_cents is not None:
        text = f"first purchase in {first}: flat {money(part.flat_cents)}"
    else:
        assert part.rate is not None
        commit = int(e.grid.commit_cents[e.row])
        text = f"first purchase in {first}: {rate(part.rate)} of commit {money(commit)}"
    clawed = int(e.earnings.detail["clawed"][e.row])
    if part.clawback is not None and clawed < e.grid.months:
        text += (
            f"; clawed back in {format_period(e.grid.first_month + clawed)} "
            f"(no usage for {part.clawback.churn_months} month(s) within "
            f"{part.clawback.within_months} months of the first purchase)"
        )
    return text


@lru_cache(maxsize=256)
def _ramp_rule(part: RampRealization) -> str:
    """'marginal tiers (3% from 0%, 6% from 100%)': the same for every line of a plan clause."""
    if part.tiers is None:
        return f"rate {rate(part.rate or Fraction(0))}"
    tiers = ", ".join(f"{rate(t.rate)} from {rate(t.start)}" for t in part.tiers.rates)
    return f"{part.tiers.mode} tiers ({tiers})"


def _ramp(e: Explanation, part: RampRealization) -> str:
    d = e.earnings.detail
    k, window = int(d["k"][e.row]), int(d["window"][e.row])
    realized = Fraction(int(d["realized"][e.row]))
    target = Fraction(int(d["target"][e.row]), int(d["target_den"][e.row]))
    how = _ramp_rule(part)
    stage = f"ramp month {k}/{window}" if k < window else f"ramp complete (month {window}/{window})"
    attainment = f" ({percent(realized / target)})" if target else ""
    text = f"{stage}: realized {money(realized)} of {money(target)} target{attainment}, {how}"
    if d["capped"][e.row] and part.cap_cents is not None:
        text += f", capped at {money(part.cap_cents)}"
    if d["bonus"][e.row] and part.bonus is not None:
        text += (
            f", + bonus {money(part.bonus.amount_cents)} "
            f"(attainment at least {rate(part.bonus.attainment_at_least)})"
        )
    return text


def _after_window(e: Explanation, part: SustainedUsage | Expansion) -> str:
    d = e.earnings.detail
    months = int(d["baseline_months"][e.row])
    baseline = Fraction(int(d["baseline_sum"][e.row]), months)
    last = e.grid.months - 1
    period = format_period(e.grid.first_month + last)
    usage = Fraction(int(e.grid.usage[e.row, last]))
    active = e.earnings.version[e.row, last] >= 0
    if isinstance(part, SustainedUsage):
        if not active:
            return (
                f"sustained usage (baseline {money(baseline)}, rate {rate(part.rate)}), "
                f"no sustain month in {period}"
            )
        retention = (
            f"{percent(usage / baseline)} retention" if baseline > 0 else "no positive baseline"
        )
        return (
            f"sustained usage {period}: usage {money(usage)} vs baseline {money(baseline)} "
            f"({retention}, minimum {percent(part.min_retention)}), "
            f"{rate(part.rate)} of up to the baseline"
        )
    bar = max(baseline, Fraction(0)) * (1 + part.threshold)
    if not active:
        return (
            f"expansion above {money(bar)} (baseline {money(baseline)} + "
            f"{percent(part.threshold)}), no expansion month in {period}"
        )
    return (
        f"expansion {period}: usage {money(usage)} above {money(bar)} "
        f"(baseline {money(baseline)} + {percent(part.threshold)}), {rate(part.rate)} of the growth"
    )


def explain_line(e: Explanation) -> str:
    index = _version_index(e)
    part = e.plan.parts[index] if index >= 0 else None
    if isinstance(part, FirstPurchase):
        text = _first_purchase(e, part)
    elif isinstance(part, RampRealization):
        text = _ramp(e, part)
    elif isinstance(part, SustainedUsage | Expansion):
        text = _after_window(e, part)
    else:
        text = f"{e.plan.type.replace('_', ' ')}: no longer earned on this contract"
    if e.contract_earned and e.payee_earned != e.contract_earned:
        share = percent(e.payee_earned / e.contract_earned)
        text += f"; your credited share {share} of {money(e.contract_earned)}"
    return (
        f"{text} -> earned to date {format_cents(e.earned_cents, grouping=True)}, "
        f"paid before {format_cents(e.paid_cents, grouping=True)}, "
        f"payout {format_cents(e.amount_cents, grouping=True)}"
    )
