"""A period's exceptions as of now, as `compengine exceptions` finds them: the credit no
payee is assigned and the run warnings, from a computation that writes nothing.

That computation is a whole run's (about half a second a period on the sample data), and
the ops dashboard shows every period. So the answers are kept, keyed by what they depend
on: the database, the period, the newest audit event (every load, run, adjustment, hold
and release writes one) and the plan versions' content. Any such change gives a new key.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from fractions import Fraction

from sqlalchemy import func, select
from sqlmodel import Session

from compengine.cycles.run import compute_run
from compengine.money import round_cents
from compengine.months import format_period
from compengine.plan.content import content_hash
from compengine.plan.model import PlanVersion
from compengine.storage.models import AuditEvent

KEPT = 256  # answers kept: a few years of periods, for a few states of the database
_kept: OrderedDict[tuple, PeriodExceptions] = OrderedDict()
_kept_lock = threading.Lock()


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
    newest_event = session.execute(select(func.max(AuditEvent.id))).scalar()
    key = (
        str(session.get_bind().url),
        period,
        newest_event,
        tuple(sorted(content_hash(plan) for plan in plans)),
    )
    with _kept_lock:
        if key in _kept:
            _kept.move_to_end(key)
            return _kept[key]
    found = _compute(session, period, plans)
    with _kept_lock:
        _kept[key] = found
        while len(_kept) > KEPT:
            _kept.popitem(last=False)
    return found


def _compute(session: Session, period: str, plans: list[PlanVersion]) -> PeriodExceptions:
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
