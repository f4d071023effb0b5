"""What a rep reads of their own (spec section 10): their payee record, the periods that
are approved or locked, their lines and their statement. A rep token is bound to one
payee; nothing here takes another payee's id."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response
from sqlalchemy import select
from sqlmodel import Session

from compengine.access.tokens import Principal, Role
from compengine.api.deps import PeriodPath, PeriodQuery, api_config, read_session, require
from compengine.api.problems import ApiProblem
from compengine.api.schemas import Payee, PayeeLines, PayeePeriodOut, PayoutLineOut, timestamp
from compengine.api.statement import (
    PDF_RESPONSE,
    REP_STATES,
    require_known_payee,
    statement_pdf,
)
from compengine.cycles.periods import get_period
from compengine.cycles.queries import period_lines
from compengine.server import ServerConfig
from compengine.storage.models import Period

router = APIRouter(tags=["reps"])
rep = require(Role.rep)


@router.get("/me", response_model=Payee)
def me(principal: Principal = Depends(rep), session: Session = Depends(read_session)) -> Payee:
    """The rep's own payee record."""
    payee = require_known_payee(session, principal.payee_id)
    return Payee.model_validate(payee, from_attributes=True)


@router.get("/me/periods", response_model=list[PayeePeriodOut])
def my_periods(
    principal: Principal = Depends(rep), session: Session = Depends(read_session)
) -> list[PayeePeriodOut]:
    """The periods that are approved or locked, oldest first."""
    require_known_payee(session, principal.payee_id)
    query = select(Period).where(Period.state.in_(REP_STATES)).order_by(Period.period)
    return [
        PayeePeriodOut(
            period=row.period,
            state=row.state,
            approved_at=timestamp(row.approved_at),
            locked_at=timestamp(row.locked_at),
        )
        for row in session.execute(query).scalars()
    ]


@router.get("/me/payouts", response_model=PayeeLines)
def my_payouts(
    period: PeriodQuery,
    principal: Principal = Depends(rep),
    session: Session = Depends(read_session),
) -> PayeeLines:
    """The rep's own lines of an approved or locked period (404 for any other)."""
    require_known_payee(session, principal.payee_id)
    state = get_period(session, period).state
    if state not in REP_STATES:
        raise ApiProblem(404, "Not Found", f"period {period} is not approved or locked yet")
    lines = period_lines(session, period, principal.payee_id)
    return PayeeLines(period=period, state=state, data=[PayoutLineOut.of(x) for x in lines])


@router.get("/me/statements/{period}.pdf", response_class=Response, responses=PDF_RESPONSE)
def my_statement(
    period: PeriodPath,
    principal: Principal = Depends(rep),
    config: ServerConfig = Depends(api_config),
) -> Response:
    """The rep's statement of an approved or locked period (404 for any other)."""
    return statement_pdf(config, principal.payee_id, period, REP_STATES)
