"""What ops do over HTTP (spec section 10): run, approve, lock, reopen, adjust, hold,
release, the exceptions of a period and anyone's statement.

Each write calls the very function its CLI command calls, under the same database lock,
with the token's name as the actor in the audit log; a rule that refuses, or a database
busy with another command, answers 409 with the CLI's own message.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Query, Response
from sqlmodel import Session

from compengine.access.tokens import Principal, Role
from compengine.api.deps import (
    PayeePath,
    PeriodPath,
    api_config,
    exclusive_write,
    read_session,
    refusals,
    require,
)
from compengine.api.problems import ApiProblem
from compengine.api.routes.periods import period_summaries
from compengine.api.schemas import (
    MAX_REASON,
    AdjustmentBody,
    Exceptions,
    HoldBody,
    HoldOut,
    PayoutLineOut,
    PeriodSummary,
    ReasonBody,
    RunResult,
    UnassignedItem,
    checked_reason_text,
    money,
)
from compengine.api.statement import (
    PDF_RESPONSE,
    REP_STATES,
    RUN_STATES,
    no_such_payee,
    statement_pdf,
)
from compengine.cycles import manual, transitions
from compengine.cycles.run import compute_run, run_period
from compengine.money import round_cents
from compengine.months import format_period
from compengine.plan.load import load_plans
from compengine.server import ServerConfig
from compengine.storage.models import Payee

router = APIRouter(tags=["ops"])
ops = require(Role.ops)


def _period_after(config: ServerConfig, period: str) -> PeriodSummary:
    with Session(config.engine) as session:
        return period_summaries(session, period)[0]


def _known_payee(session: Session, payee_id: str) -> None:
    if session.get(Payee, payee_id) is None:
        raise ApiProblem(422, "Unprocessable Entity", f"body: payee_id: unknown payee {payee_id!r}")


@router.post("/periods/{period}/run", response_model=RunResult)
def run(
    period: PeriodPath,
    principal: Principal = Depends(ops),
    config: ServerConfig = Depends(api_config),
) -> RunResult:
    """Compute the period with the server's plans (`compengine run`)."""
    with refusals():
        plans = load_plans([config.plans])
        summary = run_period(config.engine, period, plans, principal.name)
    return RunResult(
        period=summary.period,
        run_id=summary.run_id,
        lines=summary.lines,
        total=money(summary.total_cents),
        by_component={k: money(v) for k, v in sorted(summary.by_component.items())},
        taken_back={k: money(v) for k, v in sorted(summary.taken_back.items())},
        unassigned=money(summary.unassigned_cents),
        unassigned_items=summary.unassigned_items,
        warnings=summary.warnings,
        stale=summary.stale,
        fingerprint=summary.fingerprint,
    )


@router.post("/periods/{period}/approve", response_model=PeriodSummary)
def approve(
    period: PeriodPath,
    principal: Principal = Depends(ops),
    config: ServerConfig = Depends(api_config),
) -> PeriodSummary:
    """calculated -> approved (`compengine approve`)."""
    with exclusive_write(config) as session:
        transitions.approve(session, period, principal.name)
    return _period_after(config, period)


@router.post("/periods/{period}/lock", response_model=PeriodSummary)
def lock(
    period: PeriodPath,
    principal: Principal = Depends(ops),
    config: ServerConfig = Depends(api_config),
) -> PeriodSummary:
    """approved -> locked, final (`compengine lock`)."""
    with exclusive_write(config) as session:
        transitions.lock(session, period, principal.name)
    return _period_after(config, period)


@router.post("/periods/{period}/reopen", response_model=PeriodSummary)
def reopen(
    period: PeriodPath,
    body: ReasonBody,
    principal: Principal = Depends(ops),
    config: ServerConfig = Depends(api_config),
) -> PeriodSummary:
    """approved -> calculated, with a reason (`compengine reopen`)."""
    with exclusive_write(config) as session:
        transitions.reopen(session, period, principal.name, body.reason)
    return _period_after(config, period)


@router.post("/adjustments", response_model=PayoutLineOut, status_code=201)
def adjust(
    body: AdjustmentBody,
    principal: Principal = Depends(ops),
    config: ServerConfig = Depends(api_config),
) -> PayoutLineOut:
    """A manual payout line with a reason (`compengine adjust`)."""
    with exclusive_write(config) as session:
        _known_payee(session, body.payee_id)
        line = manual.adjust(
            session, body.period, body.payee_id, body.amount, body.reason, principal.name
        )
        session.flush()
        return PayoutLineOut.of(line)


@router.post("/holds", response_model=HoldOut, status_code=201)
def hold(
    body: HoldBody,
    principal: Principal = Depends(ops),
    config: ServerConfig = Depends(api_config),
) -> HoldOut:
    """Withhold all of a payee's lines in one period (`compengine hold`)."""
    with exclusive_write(config) as session:
        _known_payee(session, body.payee_id)
        manual.hold(session, body.period, body.payee_id, body.reason, principal.name)
    return HoldOut(payee_id=body.payee_id, period=body.period, held=True, reason=body.reason)


@router.delete("/holds/{payee_id}/{period}", response_model=HoldOut)
def release(
    payee_id: PayeePath,
    period: PeriodPath,
    body: Annotated[ReasonBody | None, Body()] = None,
    reason: Annotated[str | None, Query(min_length=1, max_length=MAX_REASON)] = None,
    principal: Principal = Depends(ops),
    config: ServerConfig = Depends(api_config),
) -> HoldOut:
    """Lift a hold, with a reason in the body or as ?reason= (`compengine release`)."""
    given = body.reason if body is not None else reason
    if given is None:
        raise ApiProblem(
            422, "Unprocessable Entity", 'a reason is required: {"reason": "..."} or ?reason='
        )
    try:
        given = checked_reason_text(given)
    except ValueError as error:
        raise ApiProblem(422, "Unprocessable Entity", f"reason: {error}") from None
    with exclusive_write(config) as session:
        if session.get(Payee, payee_id) is None:
            raise no_such_payee()
        manual.release(session, period, payee_id, given, principal.name)
    return HoldOut(payee_id=payee_id, period=period, held=False, reason=given)


@router.get("/periods/{period}/exceptions", response_model=Exceptions)
def exceptions(
    period: PeriodPath,
    _principal: Principal = Depends(ops),
    session: Session = Depends(read_session),
    config: ServerConfig = Depends(api_config),
) -> Exceptions:
    """Unassigned credit and warnings of the period as of now (`compengine exceptions`);
    a configuration error that would fail `run` is 409."""
    with refusals():
        plans = load_plans([config.plans])
        result = compute_run(session, period, plans).result  # writes nothing
    return Exceptions(
        period=period,
        unassigned=[
            UnassignedItem(
                account_id=item.account_id,
                contract_id=item.contract_id,
                plan_id=item.plan_id,
                component_id=item.component_id,
                role=item.role,
                month=format_period(int(item.month)),
                amount=money(round_cents(item.amount)),
            )
            for item in result.unassigned.itertuples()
        ],
        warnings=list(result.warnings),
    )


@router.get(
    "/payees/{payee_id}/statements/{period}.pdf", response_class=Response, responses=PDF_RESPONSE
)
def statement(
    payee_id: PayeePath,
    period: PeriodPath,
    principal: Principal = Depends(require(Role.ops, Role.rep)),
    config: ServerConfig = Depends(api_config),
) -> Response:
    """A payee's statement of any period that was run (DRAFT until locked). A rep may ask
    for their own, of an approved or locked period; any other payee is 404, the same
    answer as for a payee that does not exist."""
    if principal.role is Role.rep:
        if payee_id != principal.payee_id:
            raise no_such_payee()
        return statement_pdf(config, payee_id, period, REP_STATES)
    return statement_pdf(config, payee_id, period, RUN_STATES)
