"""GET /periods: every period with its state, staleness, totals and lock time."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from sqlalchemy import select
from sqlmodel import Session

from compengine.access.tokens import Principal, Role
from compengine.api.deps import read_session, require
from compengine.api.schemas import PeriodSummary, timestamp
from compengine.cycles.reports import period_status
from compengine.storage.models import Period

router = APIRouter(tags=["periods"])


def period_summaries(session: Session, period: str | None = None) -> list[PeriodSummary]:
    """`compengine status` as values, with each period's approval and lock times."""
    query = select(Period) if period is None else select(Period).where(Period.period == period)
    rows = {row.period: row for row in session.execute(query).scalars()}
    return [
        PeriodSummary(
            period=status["period"],
            state=status["state"],
            stale=bool(status["stale"]),
            last_run=status["last_run"],
            last_run_id=rows[status["period"]].last_run_id,
            approved_at=timestamp(rows[status["period"]].approved_at),
            locked_at=timestamp(rows[status["period"]].locked_at),
            lines=status["lines"],
            paid=status["paid"],
            held=status["held"],
            adjustments=status["adjustments"],
        )
        for status in period_status(session, period)
    ]


@router.get("/periods", response_model=list[PeriodSummary])
def periods(
    _principal: Principal = Depends(require(Role.ops, Role.payroll)),
    session: Session = Depends(read_session),
) -> list[PeriodSummary]:
    """Every period that was run, adjusted or held, oldest first."""
    return period_summaries(session)
