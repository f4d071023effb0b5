"""approve, reopen and lock: moving a period through its states, in order (spec section 8)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlmodel import Session

from compengine.cycles import audit
from compengine.cycles.inputs import checked_reason
from compengine.cycles.periods import APPROVED, CALCULATED, LOCKED, get_period, refuse_unless
from compengine.errors import UserError
from compengine.storage.models import PayoutLine, Period


def _earlier_periods_with_lines(session: Session, period: str) -> list[str]:
    query = select(PayoutLine.period).where(PayoutLine.period < period).group_by(PayoutLine.period)
    return sorted(session.execute(query).scalars())


def _require_earlier(session: Session, period: str, allowed: tuple[str, ...], action: str) -> None:
    blocking = [
        f"{earlier} ({get_period(session, earlier).state})"
        for earlier in _earlier_periods_with_lines(session, period)
        if get_period(session, earlier).state not in allowed
    ]
    if blocking:
        raise UserError.single(
            f"cannot {action} period {period}: earlier periods with payout lines must be "
            f"{' or '.join(allowed)} first: {', '.join(blocking)}"
        )


def _move(
    session: Session, row: Period, state: str, actor: str, action: str, reason: str | None = None
) -> None:
    before = row.state
    row.state = state
    if state == APPROVED:
        row.approved_at = audit.now()
    if state == LOCKED:
        row.locked_at = audit.now()
    session.add(row)
    audit.record(
        session,
        actor,
        action,
        period=row.period,
        reason=reason,
        before={"state": before},
        after={"state": state},
    )


def _refuse_if_stale(row: Period, action: str, why: str) -> None:
    if row.stale:
        raise UserError.single(f"cannot {action} period {row.period}: it is stale {why}")


def approve(session: Session, period: str, actor: str) -> None:
    row = get_period(session, period)
    refuse_unless(row, (CALCULATED,), "approve")
    _refuse_if_stale(row, "approve", "(an earlier period was run after it); run it again first")
    _require_earlier(session, period, (APPROVED, LOCKED), "approve")
    _move(session, row, APPROVED, actor, "approve")


def reopen(session: Session, period: str, actor: str, reason: str) -> None:
    reason = checked_reason(reason)
    row = get_period(session, period)
    refuse_unless(row, (APPROVED,), "reopen")
    later = session.execute(
        select(func.count())
        .select_from(Period)
        .where(Period.period > period, Period.state.in_((APPROVED, LOCKED)))
    ).scalar_one()
    if later:
        raise UserError.single(
            f"cannot reopen period {period}: a later period is approved or locked"
        )
    _move(session, row, CALCULATED, actor, "reopen", reason)


def lock(session: Session, period: str, actor: str) -> None:
    row = get_period(session, period)
    refuse_unless(row, (APPROVED,), "lock")
    _refuse_if_stale(
        row,
        "lock",
        "(something before it changed after it was approved); reopen it and run it again",
    )
    _require_earlier(session, period, (LOCKED,), "lock")
    _move(session, row, LOCKED, actor, "lock")
