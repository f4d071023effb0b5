"""Spec section 12's bridge restated item by item in plain Fractions, on a Scenario.

Built on the Fraction reference's own U, F, scope and share rules (``tests.reference``),
never on the engine: the property tests hold ``compute_bridge`` to it.
"""

from __future__ import annotations

from collections import defaultdict
from fractions import Fraction

from tests.reference.fraction_reference import (
    ReferenceConfigError,
    covers,
    in_force,
    in_plan_scope,
    last_day,
    month_of,
    monthly_usage,
    shares,
)
from tests.reference.scenario import Contract, Scenario

PARTS = ("start", "churn", "net_change_existing", "new_commitments", "realization_gap")


def first_purchase(contract: Contract, usage: dict[int, Fraction], q: int) -> int | None:
    """F as of the bridge's end: months after q are not looked at."""
    months = [m for m, u in usage.items() if month_of(contract.signed_on) <= m <= q and u > 0]
    return min(months, default=None)


def window_of(scenario: Scenario, contract: Contract, first: int | None) -> int:
    """The longest ramp_realization window of the versions in force at F (else the signing
    month) whose scope holds the account; 0 when none."""
    anchor = first if first is not None else month_of(contract.signed_on)
    account = next(a for a in scenario.accounts if a.account_id == contract.account_id)
    return max(
        (
            v.lifecycle.window_months
            for v in scenario.plans
            if in_force(v, anchor)
            and in_plan_scope(v, account)
            and any(c.type == "ramp_realization" for c in v.components)
        ),
        default=0,
    )


def ramping(scenario: Scenario, contract: Contract, p: int, q: int) -> bool:
    usage = monthly_usage(scenario, contract)
    first = first_purchase(contract, usage, q)
    W = window_of(scenario, contract, first)
    return (
        W > 0
        and month_of(contract.signed_on) <= q
        and not (contract.ends_on is not None and contract.ends_on < last_day(q))
        and (first is None or first > p or p < first + W - 1)
    )


def account_parts(scenario: Scenario, p: int, q: int) -> dict[str, dict[str, Fraction]]:
    """Per account, the five parts summed over its items, in cents."""
    run_rate: dict[tuple[str, int], Fraction] = defaultdict(Fraction)
    uncovered: dict[tuple[str, int], Fraction] = defaultdict(Fraction)
    for entry in scenario.usage:
        key = (entry.account_id, month_of(entry.date))
        run_rate[key] += entry.amount * 100
        if not any(covers(c, entry) for c in scenario.contracts):
            uncovered[key] += entry.amount * 100
    parts: dict[str, dict[str, Fraction]] = defaultdict(lambda: dict.fromkeys(PARTS, Fraction(0)))

    def add(account: str, x_p: Fraction, x_q: Fraction, commit: Fraction | None) -> None:
        churned = run_rate[(account, p)] > 0 and run_rate[(account, q)] <= 0
        mine = parts[account]
        mine["start"] += x_p
        if commit is not None:
            mine["new_commitments"] += commit - x_p
            mine["realization_gap"] += x_q - commit
        elif churned:
            mine["churn"] += x_q - x_p
        else:
            mine["net_change_existing"] += x_q - x_p

    for contract in scenario.contracts:
        usage = monthly_usage(scenario, contract)
        commit = contract.commit_monthly * 100 if ramping(scenario, contract, p, q) else None
        add(contract.account_id, usage.get(p, Fraction(0)), usage.get(q, Fraction(0)), commit)
    for account in {a for a, _ in uncovered}:
        add(account, uncovered[(account, p)], uncovered[(account, q)], None)
    return parts


def reference_groups(
    scenario: Scenario, p: int, q: int, by: str, role: str = "AE"
) -> dict[str, dict[str, Fraction]]:
    """The five parts per group (all-zero groups left out)."""
    groups: dict[str, dict[str, Fraction]] = defaultdict(lambda: dict.fromkeys(PARTS, Fraction(0)))
    fields = {a.account_id: a for a in scenario.accounts}
    for account, parts in account_parts(scenario, p, q).items():
        if by == "payee":
            held = shares(scenario, account, role, q)
            if sum(held.values(), Fraction(0)) > 1:
                raise ReferenceConfigError(account)
            weights = {**held, "(unassigned)": 1 - sum(held.values(), Fraction(0))}
        elif by == "account":
            weights = {account: Fraction(1)}
        else:
            weights = {getattr(fields[account], by) or "(none)": Fraction(1)}
        for group, weight in weights.items():
            for name, value in parts.items():
                groups[group][name] += weight * value
    return {g: v for g, v in groups.items() if any(v.values())}
