"""What-if (`diff`, `run --dry-run`): a period computed with the same engine as `run`, in
memory, set beside its stored lines per payee and component; nothing is written.

The new amounts are what `run` would leave in the period: the calculated lines it
computes plus the period's adjustments, which a run keeps. A period that `run` refuses
(approved, locked, before a locked period, or plans that alter a frozen version) is
refused here with the same message, so a preview never shows what cannot happen.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from compengine.cycles.frozen import refuse_changed_frozen_versions
from compengine.cycles.periods import (
    CALCULATED,
    OPEN,
    get_period,
    refuse_if_later_locked,
    refuse_unless,
)
from compengine.cycles.run import compute_run
from compengine.plan.model import PlanVersion
from compengine.storage.models import PayoutLine

Key = tuple[str, str, str]  # payee, plan id ('' for an adjustment), component id


@dataclass(frozen=True)
class WhatIfRow:
    payee_id: str
    plan_id: str
    component_id: str
    stored_cents: int
    new_cents: int

    @property
    def difference_cents(self) -> int:
        return self.new_cents - self.stored_cents


@dataclass(frozen=True)
class WhatIf:
    period: str
    rows: list[WhatIfRow]

    @property
    def stored_cents(self) -> int:
        return sum(row.stored_cents for row in self.rows)

    @property
    def new_cents(self) -> int:
        return sum(row.new_cents for row in self.rows)

    @property
    def difference_cents(self) -> int:
        return self.new_cents - self.stored_cents


def what_if(engine: Engine, period: str, plans: list[PlanVersion], action: str = "diff") -> WhatIf:
    """The period's stored amounts beside those a run with `plans` would store."""
    with Session(engine) as session:
        refuse_unless(get_period(session, period), (OPEN, CALCULATED), action)
        refuse_if_later_locked(session, period, action)
        refuse_changed_frozen_versions(session, plans)
        computed = compute_run(session, period, plans)
        stored = _stored(session, period)
        adjustments = _stored(session, period, PayoutLine.kind == "adjustment")
    new: dict[Key, int] = defaultdict(int, adjustments)
    lines = computed.result.lines
    if len(lines):
        grouped = lines.groupby(["payee_id", "plan_id", "component_id"])["amount_cents"].sum()
        for (payee, plan_id, component), cents in grouped.items():
            new[(payee, plan_id, component)] += int(cents)
    rows = [
        WhatIfRow(*key, stored.get(key, 0), new.get(key, 0))
        for key in sorted(set(stored) | set(new))
    ]
    return WhatIf(period, rows)


def _stored(session: Session, period: str, *conditions) -> dict[Key, int]:
    rows = session.execute(
        select(
            PayoutLine.payee_id,
            PayoutLine.plan_id,
            PayoutLine.component_id,
            func.sum(PayoutLine.amount_cents),
        )
        .where(PayoutLine.period == period, *conditions)
        .group_by(PayoutLine.payee_id, PayoutLine.plan_id, PayoutLine.component_id)
    ).all()
    return {(payee, plan_id, component): int(total) for payee, plan_id, component, total in rows}
