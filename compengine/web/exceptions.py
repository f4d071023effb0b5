"""A period's exceptions as of now, as `compengine exceptions` finds them: the credit no
payee is assigned and the run warnings, from a computation that writes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from sqlmodel import Session

from compengine.cycles.run import compute_run
from compengine.money import round_cents
from compengine.months import format_period
from compengine.plan.model import PlanVersion


@dataclass(frozen=True)
class Unassigned:
    account_id: str
    contract_id: str
    component: str  # plan/component
    role: str
    month: str
    amount_cents: int


@dataclass(frozen=True)
class PeriodExceptions:
    unassigned: list[Unassigned]
    unassigned_cents: int  # the exact total, rounded once, as the run summary does
    warnings: list[str]

    @property
    def count(self) -> int:
        return len(self.unassigned) + len(self.warnings)


def period_exceptions(session: Session, period: str, plans: list[PlanVersion]) -> PeriodExceptions:
    result = compute_run(session, period, plans).result
    items = [
        Unassigned(
            account_id=str(item.account_id),
            contract_id=str(item.contract_id),
            component=f"{item.plan_id}/{item.component_id}",
            role=str(item.role),
            month=format_period(int(item.month)),
            amount_cents=round_cents(item.amount),
        )
        for item in result.unassigned.itertuples()
    ]
    total = round_cents(Fraction(sum(result.unassigned["amount"], start=0)))
    return PeriodExceptions(items, total, list(result.warnings))
