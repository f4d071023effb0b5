"""Period states open -> calculated -> approved -> locked, and the rules between them
(spec section 8)."""

from __future__ import annotations

from sqlmodel import Session, select

from compengine.errors import UserError
from compengine.months import parse_period
from compengine.storage.models import Period

OPEN, CALCULATED, APPROVED, LOCKED = "open", "calculated", "approved", "locked"


def checked_period(text: str) -> str:
    """The canonical 'YYYY-MM' of user input, or a UserError naming it."""
    try:
        parse_period(text)
    except ValueError as error:
        raise UserError.single(f"--period: {error}") from error
    return text.strip()


def get_period(session: Session, period: str) -> Period:
    """The period's row; a never-touched period is open."""
    return session.get(Period, period) or Period(period=period, state=OPEN)


def refuse_unless(row: Period, allowed: tuple[str, ...], action: str) -> None:
    if row.state not in allowed:
        raise UserError.single(
            f"cannot {action} period {row.period}: it is {row.state} "
            f"(allowed only when {' or '.join(allowed)})"
        )


def later_periods(session: Session, period: str) -> list[Period]:
    return list(session.exec(select(Period).where(Period.period > period)).all())


def mark_later_stale(session: Session, period: str) -> list[str]:
    """Later calculated or approved periods were computed from what `period` paid; once
    that changes they must be run again before approval (spec section 8)."""
    marked = []
    for later in later_periods(session, period):
        if later.state in (CALCULATED, APPROVED) and not later.stale:
            later.stale = True
            session.add(later)
            marked.append(later.period)
    return marked


def _latest_later_locked(session: Session, period: str) -> str | None:
    locked = [p.period for p in later_periods(session, period) if p.state == LOCKED]
    return max(locked, default=None)


def refuse_if_unpayable(session: Session, period: str, action: str) -> None:
    """Adjustments and holds need a period that can still be paid; one before a locked
    period cannot, since that period settled everything before it (spec section 8)."""
    locked = _latest_later_locked(session, period)
    if locked:
        raise UserError.single(
            f"cannot {action} period {period}: later period {locked} is locked, so {period} "
            "can no longer be paid; use the next period that is not locked"
        )


def refuse_if_later_locked(session: Session, period: str, action: str) -> None:
    """A locked period already settled everything before it: recomputing an earlier period
    would pay twice. Late data reaches payees through the next period that is run."""
    locked = _latest_later_locked(session, period)
    if locked:
        raise UserError.single(
            f"cannot {action} period {period}: later period {locked} is locked; "
            "late data reaches payees through the next period that is run"
        )
