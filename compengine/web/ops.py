"""The ops pages (/ops): every period at a glance, a period's exceptions, lines by payee,
run records and audit entries, and the cycle's actions as forms.

Each action calls the function the command line calls, under the same database lock,
with the session's token name as the audit actor; a refusal shows the command line's
own message on the page and changes nothing. Success answers with a redirect (POST,
redirect, GET), so reloading the page never repeats an action.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session, select

from compengine.access.tokens import Role
from compengine.cycles import manual, transitions
from compengine.cycles.periods import APPROVED, CALCULATED, LOCKED, OPEN, get_period
from compengine.cycles.queries import period_lines
from compengine.cycles.reports import AuditFilter, audit_log, period_status, run_records
from compengine.cycles.run import run_period
from compengine.errors import UserError
from compengine.storage.locking import exclusive
from compengine.storage.models import Hold, Payee, Period
from compengine.views.payee_period import PayeePeriod
from compengine.web.access import check_csrf, engine, role
from compengine.web.exceptions import period_exceptions
from compengine.web.plans import server_plans
from compengine.web.render import page
from compengine.web.sessions import SignedIn
from compengine.web.statement_page import payee_view, statement_page, statement_pdf
from compengine.web.urls import url_period

router = APIRouter()
OPS = Depends(role(Role.ops))

DONE = {
    "run": "The period was run.",
    "approve": "The period was approved.",
    "lock": "The period was locked. It is final.",
    "reopen": "The period was reopened.",
    "adjust": "The adjustment was recorded.",
    "hold": "The payee is on hold in this period.",
    "release": "The hold was released.",
}


@router.get("/ops")
def dashboard(request: Request, who: SignedIn = OPS) -> Response:
    plans = server_plans(request)
    with Session(engine(request)) as session:
        rows = period_status(session)
        for row in rows:
            found = period_exceptions(session, str(row["period"]), plans)
            row["unassigned"], row["exceptions"] = found.unassigned_cents, found.count
    return page(request, "ops_dashboard.html.j2", who, title="Payout cycle", periods=rows)


@dataclass(frozen=True)
class PayeeRow:
    payee_id: str
    name: str
    lines: int
    paid_cents: int
    held_cents: int
    on_hold: bool


def _payee_rows(session: Session, period: str) -> list[PayeeRow]:
    by_payee: dict[str, list] = {}
    for line in period_lines(session, period):
        by_payee.setdefault(line.payee_id, []).append(line)
    names = dict(session.exec(select(Payee.payee_id, Payee.name)).all())
    holds = set(session.exec(select(Hold.payee_id).where(Hold.period == period, Hold.active)).all())
    return [
        PayeeRow(
            payee_id=payee_id,
            name=names.get(payee_id, ""),
            lines=len(lines),
            paid_cents=sum(line.amount_cents for line in lines if line.status == "paid"),
            held_cents=sum(line.amount_cents for line in lines if line.status != "paid"),
            on_hold=payee_id in holds,
        )
        for payee_id, lines in by_payee.items()
    ]


def _period_page(
    request: Request,
    who: SignedIn,
    period: str,
    *,
    status: int = 200,
    error: str | None = None,
    form: dict[str, str] | None = None,
) -> Response:
    plans = server_plans(request)
    with Session(engine(request)) as session:
        row = get_period(session, period)
        context = {
            "period": row,
            "totals": (period_status(session, period) or [None])[0],
            "exceptions": period_exceptions(session, period, plans),
            "payees": _payee_rows(session, period),
            "all_payees": list(session.exec(select(Payee).order_by(Payee.payee_id))),
            "runs": run_records(session, period),
            "audit": audit_log(session, AuditFilter(period=period)),
        }
    done = request.query_params.get("done")
    return page(
        request,
        "ops_period.html.j2",
        who,
        status=status,
        title=f"Period {period}",
        notice=DONE.get(done or ""),
        error=error,
        form=form or {},
        states={"open": OPEN, "calculated": CALCULATED, "approved": APPROVED, "locked": LOCKED},
        **context,
    )


@router.get("/ops/go")
def go_to_period(request: Request, period: str = "", who: SignedIn = OPS) -> Response:
    """The dashboard's 'open a period' form: any period, also one never run."""
    return RedirectResponse(f"/ops/periods/{url_period(period)}", status_code=303)


@router.get("/ops/periods/{period}")
def period_page(request: Request, period: str, who: SignedIn = OPS) -> Response:
    return _period_page(request, who, url_period(period))


def _act(
    request: Request,
    who: SignedIn,
    period: str,
    action: str,
    work: Callable[[], object],
    form: dict[str, str] | None = None,
) -> Response:
    """Do `work`; a refusal re-renders the period page with its message (409), a success
    redirects to it."""
    try:
        work()
    except UserError as refusal:
        return _period_page(request, who, period, status=409, error=str(refusal), form=form)
    return RedirectResponse(f"/ops/periods/{period}?done={action}", status_code=303)


def _under_lock(request: Request, change: Callable[[Session], object]) -> Callable[[], None]:
    """`change` as the command line makes it: in one transaction holding its lock."""

    def work() -> None:
        with exclusive(engine(request)) as session:
            change(session)

    return work


def _checked(who: SignedIn, period: str, csrf_token: str) -> str:
    check_csrf(who, csrf_token)
    return url_period(period)


@router.post("/ops/periods/{period}/run")
def run(request: Request, period: str, csrf_token: str = Form(""), who: SignedIn = OPS):
    period = _checked(who, period, csrf_token)

    def work() -> None:
        run_period(engine(request), period, server_plans(request), who.principal.name)

    return _act(request, who, period, "run", work)


@router.post("/ops/periods/{period}/approve")
def approve(request: Request, period: str, csrf_token: str = Form(""), who: SignedIn = OPS):
    period = _checked(who, period, csrf_token)
    actor = who.principal.name
    work = _under_lock(request, lambda session: transitions.approve(session, period, actor))
    return _act(request, who, period, "approve", work)


@router.get("/ops/periods/{period}/lock")
def confirm_lock(request: Request, period: str, who: SignedIn = OPS) -> Response:
    period = url_period(period)
    with Session(engine(request)) as session:
        totals = (period_status(session, period) or [None])[0]
    if totals is None:
        raise HTTPException(404)
    return page(request, "ops_lock.html.j2", who, title=f"Lock {period}?", totals=totals)


@router.post("/ops/periods/{period}/lock")
def lock(
    request: Request,
    period: str,
    csrf_token: str = Form(""),
    confirm: str = Form(""),
    who: SignedIn = OPS,
) -> Response:
    period = _checked(who, period, csrf_token)
    if confirm != "lock":
        return RedirectResponse(f"/ops/periods/{period}/lock", status_code=303)
    actor = who.principal.name
    work = _under_lock(request, lambda session: transitions.lock(session, period, actor))
    return _act(request, who, period, "lock", work)


@router.post("/ops/periods/{period}/reopen")
def reopen(
    request: Request,
    period: str,
    csrf_token: str = Form(""),
    reason: str = Form(""),
    who: SignedIn = OPS,
) -> Response:
    period = _checked(who, period, csrf_token)
    actor = who.principal.name
    work = _under_lock(request, lambda session: transitions.reopen(session, period, actor, reason))
    return _act(request, who, period, "reopen", work, {"reopen_reason": reason})


@router.post("/ops/periods/{period}/adjust")
def adjust(
    request: Request,
    period: str,
    csrf_token: str = Form(""),
    payee: str = Form(""),
    amount: str = Form(""),
    reason: str = Form(""),
    who: SignedIn = OPS,
) -> Response:
    period = _checked(who, period, csrf_token)
    actor = who.principal.name
    work = _under_lock(
        request,
        lambda session: manual.adjust(session, period, payee.strip(), amount, reason, actor),
    )
    form = {"adjust_payee": payee, "adjust_amount": amount, "adjust_reason": reason}
    return _act(request, who, period, "adjust", work, form)


def _hold_action(action: str, hold: Callable[..., None]):
    def endpoint(
        request: Request,
        period: str,
        csrf_token: str = Form(""),
        payee: str = Form(""),
        reason: str = Form(""),
        who: SignedIn = OPS,
    ) -> Response:
        period = _checked(who, period, csrf_token)
        actor = who.principal.name
        work = _under_lock(
            request, lambda session: hold(session, period, payee.strip(), reason, actor)
        )
        form = {f"{action}_payee": payee, f"{action}_reason": reason}
        return _act(request, who, period, action, work, form)

    router.add_api_route(f"/ops/periods/{{period}}/{action}", endpoint, methods=["POST"])


_hold_action("hold", manual.hold)
_hold_action("release", manual.release)


def _payee_period(request: Request, period: str, payee_id: str) -> PayeePeriod:
    period = url_period(period)
    with Session(engine(request)) as session:
        if session.get(Period, period) is None:
            raise HTTPException(404)
        return payee_view(session, payee_id, period, server_plans(request))


@router.get("/ops/periods/{period}/payees/{payee_id}")
def payee_page(request: Request, period: str, payee_id: str, who: SignedIn = OPS) -> Response:
    view = _payee_period(request, period, payee_id)
    base = f"/ops/periods/{view.header.period}"
    return statement_page(
        request,
        who,
        view,
        f"{base}/payees/{quote(view.header.payee_id, safe='')}/statement.pdf",
        back=(base, f"Period {view.header.period}"),
    )


@router.get("/ops/periods/{period}/payees/{payee_id}/statement.pdf")
def payee_pdf(request: Request, period: str, payee_id: str, who: SignedIn = OPS) -> Response:
    return statement_pdf(_payee_period(request, period, payee_id))
