"""A payee's statement PDF over HTTP: the very view and renderer of `compengine
statement` (spec section 9), so the file a rep downloads is the file ops would print."""

from __future__ import annotations

from fastapi import Response
from sqlmodel import Session

from compengine.api.deps import reading_engine, refusals
from compengine.api.problems import ApiProblem
from compengine.cycles.periods import APPROVED, CALCULATED, LOCKED, get_period
from compengine.plan.load import load_plans
from compengine.server import ServerConfig
from compengine.statements.files import safe_stem
from compengine.statements.render import render_pdf
from compengine.storage.models import Payee
from compengine.views.payee_period import PayeePeriod, build_payee_period


# The one answer for a payee that does not exist and for one a rep may not see.
def no_such_payee() -> ApiProblem:
    return ApiProblem(404, "Not Found", "no such payee")


PDF_RESPONSE = {
    200: {
        "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        "description": "The statement, PDF/A-3b with its lines.csv attached.",
    }
}
RUN_STATES = (CALCULATED, APPROVED, LOCKED)
REP_STATES = (APPROVED, LOCKED)


def require_known_payee(session: Session, payee_id: str) -> Payee:
    payee = session.get(Payee, payee_id)
    if payee is None:
        raise no_such_payee()
    return payee


def statement_pdf(
    config: ServerConfig, payee_id: str, period: str, states: tuple[str, ...]
) -> Response:
    """The PDF when the period is in one of `states`, else 404. The view is read in a
    session of its own, closed before the PDF is rendered: rendering takes a second or
    more, and must not hold a database connection (or, on PostgreSQL, a snapshot) while
    it does."""
    with Session(reading_engine(config.engine)) as session:
        view = _view(session, config, payee_id, period, states)
    name = f"{safe_stem(payee_id)}_{period}.pdf"
    return Response(
        render_pdf(view),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _view(
    session: Session, config: ServerConfig, payee_id: str, period: str, states: tuple[str, ...]
) -> PayeePeriod:
    require_known_payee(session, payee_id)
    state = get_period(session, period).state
    if state not in states:
        raise ApiProblem(
            404,
            "Not Found",
            f"no statement for {period}: the period is {state} "
            f"(statements here are of {' or '.join(states)} periods)",
        )
    with refusals():
        plans = load_plans([config.plans])
    return build_payee_period(session, payee_id, period, plans)
