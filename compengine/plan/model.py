"""Typed, validated plan versions (spec section 3).

Every number is exact: rates and fractions are ``Fraction`` read from their decimal
text, money is integer cents, months are month indexes (``compengine.months``).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

ACCOUNT_FIELDS = ("account_id", "name", "parent_id", "segment", "region")

# Component ids of the lines compengine writes itself: a plan component may not take one,
# or its payouts would be mixed up with theirs.
ADJUSTMENT = "adjustment"
ADJUSTMENT_CATCH_UP = "adjustment-catch-up"
RESERVED_COMPONENT_IDS = frozenset({ADJUSTMENT, ADJUSTMENT_CATCH_UP})
# The earnings code payroll books adjustments (and their held catch-ups) under: no plan
# component may take it, or formula pay and manual pay would be one payroll row.
ADJUSTMENT_EARNINGS_CODE = ADJUSTMENT


@dataclass(frozen=True)
class Tier:
    start: Fraction  # the tier's `from` (attainment)
    rate: Fraction


@dataclass(frozen=True)
class Tiers:
    mode: Literal["marginal", "whole"]
    rates: tuple[Tier, ...]


@dataclass(frozen=True)
class Clawback:
    within_months: int
    churn_months: int = 1


@dataclass(frozen=True)
class Bonus:
    attainment_at_least: Fraction
    amount_cents: int


@dataclass(frozen=True)
class FirstPurchase:
    id: str
    role: str
    flat_cents: int | None = None  # exactly one of flat_cents / rate is set
    rate: Fraction | None = None  # x commit_monthly
    clawback: Clawback | None = None
    earnings_code: str | None = None  # None: the component id
    line: int = 0
    type: Literal["first_purchase"] = "first_purchase"


@dataclass(frozen=True)
class RampRealization:
    id: str
    role: str
    curve: Literal["linear", "flat"] | tuple[Fraction, ...] = "linear"
    rate: Fraction | None = None
    tiers: Tiers | None = None  # used instead of rate when given
    cap_cents: int | None = None
    bonus: Bonus | None = None
    earnings_code: str | None = None  # None: the component id
    line: int = 0
    type: Literal["ramp_realization"] = "ramp_realization"


@dataclass(frozen=True)
class SustainedUsage:
    id: str
    role: str
    rate: Fraction
    min_retention: Fraction = Fraction(0)
    duration_months: int | None = None
    earnings_code: str | None = None  # None: the component id
    line: int = 0
    type: Literal["sustained_usage"] = "sustained_usage"


@dataclass(frozen=True)
class Expansion:
    id: str
    role: str
    rate: Fraction
    threshold: Fraction = Fraction(0)
    earnings_code: str | None = None  # None: the component id
    line: int = 0
    type: Literal["expansion"] = "expansion"


Component = FirstPurchase | RampRealization | SustainedUsage | Expansion
COMPONENT_TYPES = ("first_purchase", "ramp_realization", "sustained_usage", "expansion")


def earnings_code(component: Component) -> str:
    """The code payroll books the component's amounts under (spec section 3)."""
    return component.earnings_code or component.id


@dataclass(frozen=True)
class Lifecycle:
    window_months: int
    baseline_months: int  # already defaulted to min(3, window_months)


@dataclass(frozen=True)
class PlanVersion:
    plan_id: str
    version: int
    name: str
    currency: str
    effective_from: int  # month index, inclusive
    effective_to: int | None  # month index, inclusive; None = open-ended
    scope: tuple[tuple[str, tuple[str, ...]], ...]  # (account field, allowed values)
    lifecycle: Lifecycle
    components: tuple[Component, ...]
    source: str = ""  # file path, for messages and lineage
    text: str = ""  # the file's text, for run fingerprints
    line: int = 0  # the line of `version:` in the file, for messages
    effective_line: int = 0  # the line of `effective:`

    def in_force(self, month: int) -> bool:
        return self.effective_from <= month and (
            self.effective_to is None or month <= self.effective_to
        )

    def covers(self, account: dict[str, str | None]) -> bool:
        """Scope test: every listed field's value is one of the allowed; empty matches nothing."""
        return all(account.get(name) in values for name, values in self.scope)
