"""The spec's sections 2-5, written to be checked line by line, not to be fast.

Independent of the engine on purpose: it reads only the spec, uses plain loops over
Python lists and ``Fraction`` for every quantity, keeps the spec's names (U, F, W,
T_k, TC_k, R_k, A_k, E_k, B, rho, G) and rounds exactly once, half away from zero,
at the payout step. Amounts are exact cents (dollars x 100), so a rounded value is
an int of cents.

Readings of the spec where it leaves room (each also in the report for the README):
- F(c) looks at the whole ledger; usage after P cannot change anything through P.
- U(c, m) holds only the entries c covers (from the first day of its signing month
  through ends_on), so a renewal's U starts afresh and an ended contract's U is 0,
  which sustained usage, expansion and the first-purchase clawback then see as such.
- Usage that no contract covers is a warning, per account, product and month (months
  <= P, non-zero sums only: a cell whose entries cancel out has nothing to report).
- Shares above 1 fail only in a month <= P where a non-zero increment is credited
  (for a clawback: month F, whose shares it uses).
- Two components crediting one role with one type fail for the account of a contract,
  in any month from the contract's signing month through P in which both are in force
  and in scope, whether or not the contract earns anything yet.
- A line's plan_version: first_purchase / ramp_realization use the version in force
  at F (when F <= P and it applies to the account); sustained_usage / expansion use
  the version in force in the latest month m <= P in which the month can earn
  (F + W <= m, and m < F + W + duration_months when set); otherwise the plan's latest
  version with `from` <= P.
- A component keeps its type across the versions of its plan.
"""

from __future__ import annotations

import calendar
import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction

from compengine.plan.model import (
    Component,
    Expansion,
    FirstPurchase,
    Lifecycle,
    PlanVersion,
    RampRealization,
    SustainedUsage,
    Tiers,
)
from tests.reference.scenario import Account, Contract, Scenario, UsageEntry

Key = tuple[str, str, str, str]  # (payee_id, plan_id, component_id, contract_id)
UnassignedKey = tuple[str, str, str, str]  # (contract_id, plan_id, component_id, 'YYYY-MM')
LIFETIME_TYPES = ("first_purchase", "ramp_realization")  # governed by the version at F


class ReferenceConfigError(Exception):
    """A configuration error of spec section 5: the run fails and records nothing."""


@dataclass(frozen=True, order=True)
class Line:
    payee_id: str
    plan_id: str
    plan_version: int
    component_id: str
    contract_id: str
    account_id: str
    earned_to_date_cents: int
    amount_cents: int


@dataclass
class ReferenceResult:
    period: str
    lines: list[Line] = field(default_factory=list)
    unassigned: dict[UnassignedKey, Fraction] = field(default_factory=dict)
    earned: dict[Key, Fraction] = field(default_factory=dict)  # unrounded, every payee on (x, c)
    uncovered: dict[tuple[str, str, int], Fraction] = field(default_factory=dict)  # cents
    error: str | None = None  # set (and nothing recorded) when the run failed


# --- Months: an index (year * 12 + month - 1) so that F + k - 1 is plain arithmetic.


def month_index(text: str) -> int:
    year, month = text.split("-")
    return int(year) * 12 + int(month) - 1


def month_text(m: int) -> str:
    return f"{m // 12:04d}-{m % 12 + 1:02d}"


def month_of(day: date) -> int:
    return day.year * 12 + day.month - 1


def first_day(m: int) -> date:
    return date(m // 12, m % 12 + 1, 1)


def days_in(m: int) -> int:
    return calendar.monthrange(m // 12, m % 12 + 1)[1]


def last_day(m: int) -> date:
    return date(m // 12, m % 12 + 1, days_in(m))


# --- Section 2: usage, first purchase month, window, baseline.


def cents(dollars: Fraction) -> Fraction:
    return dollars * 100


def in_contract_scope(contract: Contract, product: str) -> bool:
    """An empty product belongs only to an all-products contract."""
    return not contract.products or product in contract.products


def covers(contract: Contract, entry: UsageEntry) -> bool:
    """Section 1: its account and scope, dated from the first day of the signing month
    through ends_on (no end when ends_on is None)."""
    return (
        entry.account_id == contract.account_id
        and in_contract_scope(contract, entry.product)
        and first_day(month_of(contract.signed_on)) <= entry.date
        and (contract.ends_on is None or entry.date <= contract.ends_on)
    )


def monthly_usage(scenario: Scenario, contract: Contract) -> dict[int, Fraction]:
    """U(c, m) for every month with covered entries; the signing month keeps entries before
    signed_on, the end month only those through ends_on."""
    usage: dict[int, Fraction] = defaultdict(Fraction)
    for entry in scenario.usage:
        if covers(contract, entry):
            usage[month_of(entry.date)] += cents(entry.amount)
    return usage


def uncovered_usage(scenario: Scenario, P: int) -> dict[tuple[str, str, int], Fraction]:
    """(account, product, month) -> cents of the entries through month P no contract covers."""
    summed: dict[tuple[str, str, int], Fraction] = defaultdict(Fraction)
    for entry in scenario.usage:
        if month_of(entry.date) <= P and not any(covers(c, entry) for c in scenario.contracts):
            summed[(entry.account_id, entry.product, month_of(entry.date))] += cents(entry.amount)
    return {key: amount for key, amount in summed.items() if amount != 0}


def U(usage: dict[int, Fraction], m: int) -> Fraction:
    return usage.get(m, Fraction(0))


def F(contract: Contract, usage: dict[int, Fraction]) -> int | None:
    """The earliest month >= month(signed_on) with U > 0; None before the first purchase."""
    months = [m for m in usage if m >= month_of(contract.signed_on) and U(usage, m) > 0]
    return min(months, default=None)


def window(first: int, W: int) -> list[int]:
    return [first + k - 1 for k in range(1, W + 1)]


def B(usage: dict[int, Fraction], first: int, lifecycle: Lifecycle) -> Fraction:
    """Mean of U over the last baseline_months window months."""
    last = window(first, lifecycle.window_months)[-lifecycle.baseline_months :]
    return sum((U(usage, m) for m in last), Fraction(0)) / len(last)


# --- Section 3: which version applies.


def in_plan_scope(version: PlanVersion, account: Account) -> bool:
    """Every listed field's value is one of the allowed; an empty field (None) matches nothing."""
    return all(getattr(account, name) in values for name, values in version.scope)


def in_force(version: PlanVersion, m: int) -> bool:
    return version.effective_from <= m and (
        version.effective_to is None or m <= version.effective_to
    )


def version_in_force(plans: tuple[PlanVersion, ...], plan_id: str, m: int) -> PlanVersion | None:
    for version in plans:
        if version.plan_id == plan_id and in_force(version, m):
            return version
    return None


def component_in(version: PlanVersion, component_id: str) -> Component | None:
    for component in version.components:
        if component.id == component_id:
            return component
    return None


def governing(
    plans: tuple[PlanVersion, ...], plan_id: str, component_id: str, account: Account, m: int
) -> tuple[PlanVersion, Component] | None:
    """The version in force in m with its component, when it applies to the account."""
    version = version_in_force(plans, plan_id, m)
    if version is None or not in_plan_scope(version, account):
        return None
    component = component_in(version, component_id)
    return None if component is None else (version, component)


def component_type(plans: tuple[PlanVersion, ...], plan_id: str, component_id: str) -> str:
    types = {
        component.type
        for version in plans
        if version.plan_id == plan_id
        for component in version.components
        if component.id == component_id
    }
    assert len(types) == 1, f"{plan_id}/{component_id} changes type across versions"
    return types.pop()


# --- Section 4, first_purchase.


def payout_amount(component: FirstPurchase, contract: Contract) -> Fraction:
    if component.flat_cents is not None:
        return Fraction(component.flat_cents)
    assert component.rate is not None
    return component.rate * cents(contract.commit_monthly)


def clawback_month(component: FirstPurchase, usage: dict[int, Fraction], first: int) -> int | None:
    """The month completing the first run of churn_months months with U <= 0 in F+1..F+within."""
    if component.clawback is None:
        return None
    run = component.clawback.churn_months
    for end in range(first + run, first + component.clawback.within_months + 1):
        if all(U(usage, m) <= 0 for m in range(end - run + 1, end + 1)):
            return end
    return None


def E_first_purchase(
    component: FirstPurchase, contract: Contract, usage: dict[int, Fraction], first: int, m: int
) -> Fraction:
    taken_back = clawback_month(component, usage, first)
    if m < first or (taken_back is not None and m >= taken_back):
        return Fraction(0)
    return payout_amount(component, contract)


# --- Section 4, ramp_realization.


def curve(component: RampRealization, k: int, W: int) -> Fraction:
    if component.curve == "linear":
        return Fraction(k, W)
    if component.curve == "flat":
        return Fraction(1)
    return component.curve[k - 1]


def T(component: RampRealization, contract: Contract, k: int, W: int) -> Fraction:
    return cents(contract.commit_monthly) * curve(component, k, W)


def TC(component: RampRealization, contract: Contract, k: int, W: int) -> Fraction:
    return sum((T(component, contract, j, W) for j in range(1, k + 1)), Fraction(0))


def R(usage: dict[int, Fraction], first: int, k: int) -> Fraction:
    return sum((U(usage, first + j - 1) for j in range(1, k + 1)), Fraction(0))


def A(R_k: Fraction, TC_k: Fraction) -> Fraction:
    return R_k / TC_k


def whole_rate(tiers: Tiers, A_k: Fraction) -> Fraction:
    """r(A): the rate of the last tier whose `from` <= A."""
    rate = Fraction(0)
    for tier in tiers.rates:
        if tier.start <= A_k:
            rate = tier.rate
    return rate


def marginal_earnings(tiers: Tiers, R_k: Fraction, TC_k: Fraction) -> Fraction:
    """R_k cut at from_j x TC_k; each slice at its tier's rate, like income-tax brackets."""
    earned = Fraction(0)
    for j, tier in enumerate(tiers.rates):
        low = tier.start * TC_k
        high = tiers.rates[j + 1].start * TC_k if j + 1 < len(tiers.rates) else None
        top = R_k if high is None else min(R_k, high)
        earned += tier.rate * max(Fraction(0), top - low)
    return earned


def E_k(component: RampRealization, R_k: Fraction, TC_k: Fraction) -> Fraction:
    if R_k <= 0:
        return Fraction(0)
    if component.tiers is None:
        assert component.rate is not None
        earned = component.rate * R_k
    elif component.tiers.mode == "whole":
        earned = whole_rate(component.tiers, A(R_k, TC_k)) * R_k
    else:
        earned = marginal_earnings(component.tiers, R_k, TC_k)
    if component.cap_cents is not None:
        earned = min(earned, Fraction(component.cap_cents))
    return earned


def E_ramp(
    component: RampRealization,
    contract: Contract,
    usage: dict[int, Fraction],
    first: int,
    W: int,
    m: int,
) -> Fraction:
    """E_k in window month k, then E_W (+ bonus from month F+W-1 on); nothing on commit 0."""
    if m < first or contract.commit_monthly == 0:
        return Fraction(0)
    k = min(m - first + 1, W)
    earned = E_k(component, R(usage, first, k), TC(component, contract, k, W))
    bonus = component.bonus
    if bonus is not None and k == W:
        A_W = A(R(usage, first, W), TC(component, contract, W, W))
        if bonus.attainment_at_least <= A_W:
            earned += bonus.amount_cents
    return earned


# --- Section 4, sustained_usage and expansion: one month's earnings, summed into E.


def after_window(component: Component, first: int, version: PlanVersion, m: int) -> bool:
    """Whether month m is one in which a sustained_usage or expansion month can earn."""
    W = version.lifecycle.window_months
    duration = getattr(component, "duration_months", None)
    return m >= first + W and (duration is None or m < first + W + duration)


def sustained_month(
    component: SustainedUsage,
    lifecycle: Lifecycle,
    usage: dict[int, Fraction],
    first: int,
    m: int,
) -> Fraction:
    W = lifecycle.window_months
    duration = component.duration_months
    if m < first + W or (duration is not None and m >= first + W + duration):
        return Fraction(0)
    baseline = B(usage, first, lifecycle)
    if baseline <= 0:
        return Fraction(0)
    rho = U(usage, m) / baseline
    if rho < component.min_retention:
        return Fraction(0)
    return component.rate * min(U(usage, m), baseline)


def G(threshold: Fraction, U_m: Fraction, baseline: Fraction) -> Fraction:
    return max(Fraction(0), U_m - max(baseline, Fraction(0)) * (1 + threshold))


def expansion_month(
    component: Expansion, lifecycle: Lifecycle, usage: dict[int, Fraction], first: int, m: int
) -> Fraction:
    if m < first + lifecycle.window_months:
        return Fraction(0)
    return component.rate * G(component.threshold, U(usage, m), B(usage, first, lifecycle))


# --- E(c, m) for one component x = (plan id, component id) of one contract.


@dataclass(frozen=True)
class Subject:
    """Everything E(c, m) of one component on one contract depends on."""

    plans: tuple[PlanVersion, ...]
    plan_id: str
    component_id: str
    kind: str
    contract: Contract
    account: Account
    usage: dict[int, Fraction]
    first: int  # F(c)


def E(subject: Subject, m: int) -> Fraction:
    """Earnings to date of the contract under the component through month m."""
    s = subject
    if s.kind in LIFETIME_TYPES:
        found = governing(s.plans, s.plan_id, s.component_id, s.account, s.first)
        if found is None:
            return Fraction(0)
        version, component = found
        if isinstance(component, FirstPurchase):
            return E_first_purchase(component, s.contract, s.usage, s.first, m)
        W = version.lifecycle.window_months
        return E_ramp(component, s.contract, s.usage, s.first, W, m)
    earned = Fraction(0)
    for n in range(s.first, m + 1):
        found = governing(s.plans, s.plan_id, s.component_id, s.account, n)
        if found is None:
            continue
        version, component = found
        if isinstance(component, SustainedUsage):
            earned += sustained_month(component, version.lifecycle, s.usage, s.first, n)
        else:
            earned += expansion_month(component, version.lifecycle, s.usage, s.first, n)
    return earned


def role_for(subject: Subject, m: int) -> str:
    """The role credited with month m's increment: from the version that governs month m."""
    month = subject.first if subject.kind in LIFETIME_TYPES else m
    found = governing(subject.plans, subject.plan_id, subject.component_id, subject.account, month)
    assert found is not None, "a non-zero increment always has a governing version"
    return found[1].role


# --- Section 5: crediting.


def days_covered(start: date, end: date | None, m: int) -> int:
    """Days of month m inside the inclusive range start..end."""
    low = max(start, first_day(m))
    high = last_day(m) if end is None else min(end, last_day(m))
    return max(0, (high - low).days + 1)


def shares(scenario: Scenario, account_id: str, role: str, m: int) -> dict[str, Fraction]:
    """share(p, m) = split x days covered / days in m, rows of one payee added up."""
    held: dict[str, Fraction] = defaultdict(Fraction)
    for row in scenario.assignments:
        if row.account_id == account_id and row.role == role:
            days = days_covered(row.start, row.end, m)
            if days:
                held[row.payee_id] += row.split * Fraction(days, days_in(m))
    return held


def check_shares(held: dict[str, Fraction], account_id: str, role: str, m: int) -> None:
    if sum(held.values(), Fraction(0)) > 1:
        payees = ", ".join(sorted(held))
        raise ReferenceConfigError(
            f"shares of {account_id} {role} in {month_text(m)} add up to more than 1 ({payees})"
        )


def check_one_component_per_role_and_type(scenario: Scenario, P: int) -> None:
    """Two components of versions in force for one account and month, same role and type.

    Checked where a contract could earn: its account, from its signing month through P.
    """
    accounts = {a.account_id: a for a in scenario.accounts}
    for contract in scenario.contracts:
        account = accounts[contract.account_id]
        for m in range(month_of(contract.signed_on), P + 1):
            seen: dict[tuple[str, str], tuple[str, str]] = {}
            for version in scenario.plans:
                if not in_force(version, m) or not in_plan_scope(version, account):
                    continue
                for component in version.components:
                    slot = (component.role, component.type)
                    x = (version.plan_id, component.id)
                    if slot in seen and seen[slot] != x:
                        raise ReferenceConfigError(
                            f"{account.account_id} {month_text(m)}: {seen[slot]} and {x} "
                            f"both credit {component.role} with {component.type}"
                        )
                    seen[slot] = x


def credit(
    scenario: Scenario,
    subject: Subject,
    P: int,
    earned: dict[Key, Fraction],
    unassigned: dict[UnassignedKey, Fraction],
) -> None:
    """Each month's increment dE(c, m) goes to the role's holders in m, the rest unassigned."""
    s = subject
    for m in range(s.first, P + 1):
        dE = E(s, m) - E(s, m - 1)
        if dE == 0:
            continue
        is_clawback = s.kind == "first_purchase" and dE < 0
        share_month = s.first if is_clawback else m
        role = role_for(s, m)
        held = shares(scenario, s.account.account_id, role, share_month)
        check_shares(held, s.account.account_id, role, share_month)
        for payee_id, share in held.items():
            key = (payee_id, s.plan_id, s.component_id, s.contract.contract_id)
            earned[key] = earned.get(key, Fraction(0)) + share * dE
        rest = (1 - sum(held.values(), Fraction(0))) * dE
        if rest != 0:
            slot = (s.contract.contract_id, s.plan_id, s.component_id, month_text(m))
            unassigned[slot] = rest


# --- Section 5: payouts.


def round_half_away(amount: Fraction) -> int:
    """To whole cents, ties away from zero: 12.5 cents -> 13, -12.5 -> -13."""
    magnitude = math.floor(abs(amount) + Fraction(1, 2))
    return -magnitude if amount < 0 else magnitude


def plan_version(
    subject: Subject | None, plans: tuple[PlanVersion, ...], plan_id: str, P: int
) -> int:
    """The version that governed the latest month <= P in which the component applied."""
    s = subject
    if s is not None and s.first <= P:
        if s.kind in LIFETIME_TYPES:
            found = governing(plans, plan_id, s.component_id, s.account, s.first)
            if found is not None:
                return found[0].version
        else:
            for m in range(P, s.first - 1, -1):
                found = governing(plans, plan_id, s.component_id, s.account, m)
                if found is not None and after_window(found[1], s.first, found[0], m):
                    return found[0].version
    started = [v for v in plans if v.plan_id == plan_id and v.effective_from <= P]
    return max(started, key=lambda v: v.effective_from).version


def components(plans: tuple[PlanVersion, ...]) -> list[tuple[str, str]]:
    """Every (plan id, component id) of any version."""
    return sorted({(v.plan_id, c.id) for v in plans for c in v.components})


def reference_period(
    scenario: Scenario, period: str, paid_before: dict[Key, int]
) -> ReferenceResult:
    """One run of period P: payout = round(earned to date) - paid before, for every payee."""
    P = month_index(period)
    check_one_component_per_role_and_type(scenario, P)
    accounts = {a.account_id: a for a in scenario.accounts}
    earned: dict[Key, Fraction] = {}
    unassigned: dict[UnassignedKey, Fraction] = {}
    subjects: dict[tuple[str, str, str], Subject] = {}
    for contract in scenario.contracts:
        usage = monthly_usage(scenario, contract)
        first = F(contract, usage)
        if first is None:
            continue
        for plan_id, component_id in components(scenario.plans):
            subject = Subject(
                plans=scenario.plans,
                plan_id=plan_id,
                component_id=component_id,
                kind=component_type(scenario.plans, plan_id, component_id),
                contract=contract,
                account=accounts[contract.account_id],
                usage=usage,
                first=first,
            )
            subjects[(plan_id, component_id, contract.contract_id)] = subject
            credit(scenario, subject, P, earned, unassigned)
    for key in paid_before:
        earned.setdefault(key, Fraction(0))
    contracts = {c.contract_id: c for c in scenario.contracts}
    lines = []
    for key, amount in sorted(earned.items()):
        payee_id, plan_id, component_id, contract_id = key
        payout = round_half_away(amount) - paid_before.get(key, 0)
        if payout == 0:
            continue
        subject = subjects.get((plan_id, component_id, contract_id))
        lines.append(
            Line(
                payee_id=payee_id,
                plan_id=plan_id,
                plan_version=plan_version(subject, scenario.plans, plan_id, P),
                component_id=component_id,
                contract_id=contract_id,
                account_id=contracts[contract_id].account_id,
                earned_to_date_cents=round_half_away(amount),
                amount_cents=payout,
            )
        )
    return ReferenceResult(
        period=period,
        lines=lines,
        unassigned=unassigned,
        earned=earned,
        uncovered=uncovered_usage(scenario, P),
    )


def reference_cycle(scenario: Scenario, periods: list[str]) -> list[ReferenceResult]:
    """Runs periods in the given order like the product: each run records its payouts.

    paid_before for P sums the recorded payouts of periods Q < P; running P again replaces
    P's record; a failed run records nothing. Step i sees the usage entries with arrives <= i.
    """
    recorded: dict[str, dict[Key, int]] = {}
    results = []
    for step, period in enumerate(periods):
        paid_before: dict[Key, int] = defaultdict(int)
        for earlier, payouts in recorded.items():
            if earlier < period:
                for key, amount in payouts.items():
                    paid_before[key] += amount
        try:
            result = reference_period(scenario.ledger_at(step), period, dict(paid_before))
        except ReferenceConfigError as error:
            results.append(ReferenceResult(period=period, error=str(error)))
            continue
        recorded[period] = {
            (line.payee_id, line.plan_id, line.component_id, line.contract_id): line.amount_cents
            for line in result.lines
        }
        results.append(result)
    return results


# --- Section 12, stall alerts: what a ramp that falls short puts at risk.


def E_W_at(component: RampRealization, contract: Contract, W: int, R_W: Fraction) -> Fraction:
    """E_W with the bonus, had the window ended with R_W realized (capped as E_k is)."""
    TC_W = TC(component, contract, W, W)
    earned = E_k(component, R_W, TC_W)
    bonus = component.bonus
    if bonus is not None and bonus.attainment_at_least <= A(R_W, TC_W):
        earned += bonus.amount_cents
    return earned


@dataclass(frozen=True)
class RampAlert:
    k: int
    A_k: Fraction
    projected: Fraction
    money_at_risk: Fraction  # cents


def ramp_alert(
    component: RampRealization,
    contract: Contract,
    usage: dict[int, Fraction],
    first: int,
    W: int,
    P: int,
    below: Fraction,
) -> RampAlert | None:
    """The ramp alert of one contract in month P, or None when it is not listed."""
    k = P - first + 1
    if contract.commit_monthly == 0 or k < 1 or k > W:
        return None
    R_k = R(usage, first, k)
    A_k = A(R_k, TC(component, contract, k, W))
    TC_W = TC(component, contract, W, W)
    R_projected = R_k + (W - k) * U(usage, P)
    projected = R_projected / TC_W
    if A_k >= below and projected >= 1:
        return None
    full = E_W_at(component, contract, W, TC_W)
    reached = E_W_at(component, contract, W, R_projected)
    return RampAlert(k, A_k, projected, max(Fraction(0), full - reached))
