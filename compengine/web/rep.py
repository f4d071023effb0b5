"""The rep's pages (/me): their approved and locked periods, each with its lines, totals,
ramp charts and statement PDF. A rep's URLs name no payee: the session decides whose."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response
from sqlmodel import Session, select

from compengine.access.tokens import Role
from compengine.cycles.periods import APPROVED, LOCKED, get_period
from compengine.storage.models import Payee, Period
from compengine.views.payee_period import PayeePeriod
from compengine.web.access import engine, role
from compengine.web.plans import server_plans
from compengine.web.render import page
from compengine.web.sessions import SignedIn
from compengine.web.statement_page import payee_view, statement_page, statement_pdf
from compengine.web.urls import url_period

router = APIRouter()
REP = Depends(role(Role.rep))
VISIBLE = (APPROVED, LOCKED)


def _payee_id(who: SignedIn) -> str:
    assert who.principal.payee_id is not None  # a rep token is bound to a payee
    return who.principal.payee_id


@router.get("/me")
def my_periods(request: Request, who: SignedIn = REP) -> Response:
    with Session(engine(request)) as session:
        payee = session.get(Payee, _payee_id(who))
        query = select(Period).where(Period.state.in_(VISIBLE)).order_by(Period.period.desc())
        periods = list(session.exec(query))
    return page(request, "rep_periods.html.j2", who, title="My pay", payee=payee, periods=periods)


def _visible_view(request: Request, who: SignedIn, period: str) -> PayeePeriod:
    period = url_period(period)
    with Session(engine(request)) as session:
        if get_period(session, period).state not in VISIBLE:
            raise HTTPException(404)
        return payee_view(session, _payee_id(who), period, server_plans(request))


@router.get("/me/periods/{period}")
def my_period(request: Request, period: str, who: SignedIn = REP) -> Response:
    view = _visible_view(request, who, period)
    pdf = f"/me/periods/{view.header.period}/statement.pdf"
    return statement_page(request, who, view, pdf, back=("/me", "My pay"))


@router.get("/me/periods/{period}/statement.pdf")
def my_statement(request: Request, period: str, who: SignedIn = REP) -> Response:
    return statement_pdf(_visible_view(request, who, period))
