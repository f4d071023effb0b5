"""Manual interventions by sales-ops: adjustments, holds and releases (spec section 8).

An adjustment is a payout line of component 'adjustment' with a reason; runs keep it.
A hold marks all of a payee's lines in one period 'held': recorded, shown, not paid,
so the payout formula pays them as a catch-up in the next period that is run.
Both need a period that can still be paid; holds and releases give a reason too.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlmodel import Session

from compengine.cycles import audit
from compengine.cycles.inputs import checked_reason, require_payee
from compengine.cycles.periods import (
    APPROVED,
    CALCULATED,
    OPEN,
    get_period,
    mark_later_stale,
    refuse_if_unpayable,
    refuse_unless,
)
from compengine.errors import UserError
from compengine.money import MONEY_WHOLE_DIGITS, format_cents, money_in_range, parse_money
from compengine.plan.model import ADJUSTMENT_EARNINGS_CODE
from compengine.storage.models import Hold, PayoutLine


def _active_hold(session: Session, period: str, payee_id: str) -> Hold | None:
    query = select(Hold).where(Hold.period == period, Hold.payee_id == payee_id, Hold.active)
    return session.execute(query).scalars().first()


def _adjustment_cents(session: Session, payee_id: str, amount: str) -> int:
    """The amount in cents, refused unless the payee's adjustments, taken without their
    signs, stay within the money range: then no sum of them (a period's adjustments, a
    held catch-up) can leave it either."""
    try:
        cents = parse_money(amount)
    except ValueError as error:
        raise UserError.single(f"--amount: {error}") from error
    if cents == 0:
        raise UserError.single("--amount: an adjustment of 0.00 changes nothing")
    stored = session.execute(
        select(PayoutLine.amount_cents).where(
            PayoutLine.payee_id == payee_id, PayoutLine.kind == "adjustment"
        )
    ).scalars()
    if not money_in_range(abs(cents) + sum(abs(c) for c in stored)):
        raise UserError.single(
            f"--amount: {payee_id}'s adjustments would add up to more than "
            f"{MONEY_WHOLE_DIGITS} digits before the point"
        )
    return cents


def adjust(
    session: Session, period: str, payee_id: str, amount: str, reason: str, actor: str
) -> PayoutLine:
    reason = checked_reason(reason)
    require_payee(session, payee_id)
    cents = _adjustment_cents(session, payee_id, amount)
    row = get_period(session, period)
    refuse_unless(row, (OPEN, CALCULATED), "adjust")
    refuse_if_unpayable(session, period, "adjust")
    session.add(row)
    line = PayoutLine(
        period=period,
        kind="adjustment",
        payee_id=payee_id,
        component_id="adjustment",
        component_type="adjustment",
        earnings_code=ADJUSTMENT_EARNINGS_CODE,
        amount_cents=cents,
        explanation=f"manual adjustment: {reason}",
        status="held" if _active_hold(session, period, payee_id) else "paid",
        reason=reason,
        created_at=audit.now(),
        actor=actor,
    )
    session.add(line)
    if line.status == "held":
        mark_later_stale(session, period)  # its catch-up belongs in the later runs
    audit.record(
        session,
        actor,
        "adjust",
        period=period,
        payee_id=payee_id,
        reason=reason,
        after={"amount": format_cents(cents)},
    )
    return line


def _set_status(session: Session, period: str, payee_id: str, status: str) -> None:
    session.execute(
        update(PayoutLine)
        .where(PayoutLine.period == period, PayoutLine.payee_id == payee_id)
        .values(status=status)
    )


def hold(session: Session, period: str, payee_id: str, reason: str, actor: str) -> None:
    reason = checked_reason(reason)
    require_payee(session, payee_id)
    row = get_period(session, period)
    refuse_unless(row, (OPEN, CALCULATED, APPROVED), "hold payees in")
    refuse_if_unpayable(session, period, "hold payees in")
    if _active_hold(session, period, payee_id):
        raise UserError.single(f"payee {payee_id} is already on hold in {period}")
    mark_later_stale(session, period)
    session.add(row)
    session.add(
        Hold(period=period, payee_id=payee_id, reason=reason, created_at=audit.now(), actor=actor)
    )
    _set_status(session, period, payee_id, "held")
    audit.record(
        session,
        actor,
        "hold",
        period=period,
        payee_id=payee_id,
        reason=reason,
        before={"status": "paid"},
        after={"status": "held"},
    )


def release(session: Session, period: str, payee_id: str, reason: str, actor: str) -> None:
    reason = checked_reason(reason)
    row = get_period(session, period)
    refuse_unless(row, (OPEN, CALCULATED, APPROVED), "release holds in")
    active = _active_hold(session, period, payee_id)
    if active is None:
        raise UserError.single(f"payee {payee_id} is not on hold in {period}")
    mark_later_stale(session, period)
    active.active, active.released_at, active.release_reason = False, audit.now(), reason
    session.add(active)
    _set_status(session, period, payee_id, "paid")
    audit.record(
        session,
        actor,
        "release",
        period=period,
        payee_id=payee_id,
        reason=reason,
        before={"status": "held"},
        after={"status": "paid"},
    )
