"""A whole calculation input as plain Python data: what the reference and the engine both read.

Money is in dollars as ``Fraction`` (at most 2 places, like the CSV files), so a scenario
reads like the spec's tables; plans are the project's typed ``PlanVersion`` objects.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from fractions import Fraction

from compengine.months import parse_period
from compengine.plan.model import Component, Lifecycle, PlanVersion


@dataclass(frozen=True)
class Account:
    account_id: str
    name: str
    parent_id: str | None = None
    segment: str | None = None
    region: str | None = None


@dataclass(frozen=True)
class Assignment:
    account_id: str
    payee_id: str
    role: str
    start: date
    end: date | None = None  # inclusive; None = open-ended
    split: Fraction = Fraction(1)


@dataclass(frozen=True)
class Contract:
    contract_id: str
    account_id: str
    signed_on: date
    commit_monthly: Fraction  # dollars
    products: tuple[str, ...] = ()  # empty = all products
    ends_on: date | None = None  # the last day it covers; None = open-ended


@dataclass(frozen=True)
class UsageEntry:
    entry_id: str
    account_id: str
    date: date
    amount: Fraction  # dollars; negative for a correction
    product: str = ""  # '' = no product
    arrives: int = 0  # index of the first cycle step whose ledger holds the entry


@dataclass(frozen=True)
class Scenario:
    accounts: tuple[Account, ...] = ()
    assignments: tuple[Assignment, ...] = ()
    contracts: tuple[Contract, ...] = ()
    usage: tuple[UsageEntry, ...] = ()
    plans: tuple[PlanVersion, ...] = ()

    def ledger_at(self, step: int) -> Scenario:
        """The scenario as the run at cycle step `step` sees it: late entries not yet loaded."""
        return replace(self, usage=tuple(e for e in self.usage if e.arrives <= step))


def make_plan(
    plan_id: str,
    components: tuple[Component, ...],
    *,
    version: int = 1,
    effective: tuple[str, str | None] = ("2027-01", None),
    scope: tuple[tuple[str, tuple[str, ...]], ...] = (),
    window_months: int = 6,
    baseline_months: int | None = None,
) -> PlanVersion:
    """A plan version as `plan check` would produce it, with the spec's baseline default."""
    start, end = effective
    return PlanVersion(
        plan_id=plan_id,
        version=version,
        name=plan_id,
        currency="USD",
        effective_from=parse_period(start),
        effective_to=None if end is None else parse_period(end),
        scope=scope,
        lifecycle=Lifecycle(
            window_months=window_months,
            baseline_months=min(3, window_months) if baseline_months is None else baseline_months,
        ),
        components=components,
    )
