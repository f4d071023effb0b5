"""Payroll's endpoints (spec section 10): a locked period's rows per payee and earnings
code, and idempotent export batches that serve the same bytes on every pull.

The rows and batches come from the same cycle functions as `compengine payroll`,
`export` and `exports`; an export is written under the CLI's database lock with the
token's name as its actor. A key already recorded is answered before the lock is
taken, so a client's retry never waits for, or is refused by, a run in progress.
"""

from __future__ import annotations

import base64
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Path, Query, Response
from pydantic import BaseModel, ConfigDict, Field, StrictBool
from sqlmodel import Session

from compengine.access.tokens import Principal, Role
from compengine.api.deps import (
    PeriodPath,
    api_config,
    exclusive_write,
    read_session,
    refusals,
    require,
)
from compengine.api.lines import CSV_MEDIA_TYPE, etag_matches, wants_csv
from compengine.api.problems import ApiProblem
from compengine.api.schemas import (
    PERIOD_PATTERN,
    Money,
    Period,
    PeriodText,
    Timestamp,
    checked_period_text,
    money,
    timestamp,
)
from compengine.cycles.exports import (
    KEY_RULE,
    MAX_BATCH_ID,
    checked_idempotency_key,
    export_period,
    export_rows,
    find_export,
    get_export,
    list_exports,
)
from compengine.cycles.payroll import PayrollRow, payroll_csv, payroll_rows
from compengine.errors import UserError
from compengine.server import ServerConfig
from compengine.storage.models import ExportBatch, ExportRow

router = APIRouter(tags=["payroll"])
VARY = "Accept, Authorization"
SHA256_HEADER = "X-Content-SHA256"
CSV_RESPONSE = {200: {"content": {"text/csv": {"schema": {"type": "string"}}}}}


class PayrollRowOut(BaseModel):
    """What payroll books: one payee's pay under one earnings code."""

    payee_id: str
    name: str
    email: str | None
    earnings_code: str
    amount: Money

    @classmethod
    def of(cls, row: PayrollRow | ExportRow) -> PayrollRowOut:
        return cls(
            payee_id=row.payee_id,
            name=row.name,
            email=row.email,
            earnings_code=row.earnings_code,
            amount=money(row.amount_cents),
        )


class PayrollOut(BaseModel):
    period: Period
    total: Money = Field(description="Paid lines and adjustments; held lines excluded.")
    rows: list[PayrollRowOut]


class ExportSummary(BaseModel):
    """An export batch without its rows."""

    id: int
    period: Period
    created_at: Timestamp
    actor: str = Field(description="The name of the token that recorded it.")
    idempotency_key: str
    reissue: bool = Field(description="Recorded although the period had been exported.")
    row_count: int
    total: Money
    sha256: str = Field(description="Of the exact CSV bytes GET /exports/{id} serves.")

    @classmethod
    def of(cls, batch: ExportBatch) -> ExportSummary:
        return cls(
            id=batch.id,
            period=batch.period,
            created_at=timestamp(batch.created_at),
            actor=batch.actor,
            idempotency_key=batch.idempotency_key,
            reissue=batch.reissue,
            row_count=batch.row_count,
            total=money(batch.total_cents),
            sha256=batch.sha256,
        )


class ExportOut(ExportSummary):
    """A batch with its rows, the same on every pull."""

    rows: list[PayrollRowOut]


class ExportBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    period: PeriodText
    reissue: StrictBool = Field(
        False, description="Record a new batch although the period was exported already."
    )


def _optional_period(text: str | None) -> str | None:
    return None if text is None else checked_period_text(text)


PeriodFilter = Annotated[
    str | None,
    Query(pattern=PERIOD_PATTERN, description="Only batches of this period (YYYY-MM)."),
]
BatchPath = Annotated[int, Path(ge=1, le=MAX_BATCH_ID, description="An export batch id.")]
KeyHeader = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        description=f"Required: {KEY_RULE}. The same key returns the same batch.",
    ),
]


@router.get("/periods/{period}/payroll", response_model=PayrollOut, responses=CSV_RESPONSE)
def payroll(
    period: PeriodPath,
    accept: Annotated[str | None, Header()] = None,
    _principal: Principal = Depends(require(Role.payroll, Role.ops)),
    session: Session = Depends(read_session),
) -> Response:
    """A locked period's pay per payee and earnings code (409 for any other state); with
    `Accept: text/csv` the CSV an export of it would store."""
    with refusals():
        rows = payroll_rows(session, period)
    if wants_csv(accept):
        return Response(payroll_csv(rows), media_type=CSV_MEDIA_TYPE, headers={"Vary": VARY})
    body = PayrollOut(
        period=period,
        total=money(sum(row.amount_cents for row in rows)),
        rows=[PayrollRowOut.of(row) for row in rows],
    )
    return Response(body.model_dump_json(), media_type="application/json", headers={"Vary": VARY})


def _checked_key(key: str | None) -> str:
    if key is None:
        raise ApiProblem(400, "Bad Request", f"the Idempotency-Key header is required ({KEY_RULE})")
    try:
        return checked_idempotency_key(key, "Idempotency-Key")
    except UserError as error:
        raise ApiProblem(400, "Bad Request", str(error)) from None


def _batch_json(batch: ExportBatch, rows: list[ExportRow]) -> bytes:
    body = ExportOut(
        **ExportSummary.of(batch).model_dump(), rows=[PayrollRowOut.of(row) for row in rows]
    )
    return body.model_dump_json().encode()


@router.post(
    "/exports",
    response_model=ExportOut,
    status_code=201,
    responses={
        200: {"model": ExportOut, "description": "The batch this key recorded before."},
        400: {"description": "The Idempotency-Key header is missing or malformed."},
    },
)
def export(
    body: ExportBody,
    idempotency_key: KeyHeader = None,
    principal: Principal = Depends(require(Role.payroll)),
    config: ServerConfig = Depends(api_config),
) -> Response:
    """Record an export batch of a locked period: 201 with the new batch; 200 with the
    batch this Idempotency-Key recorded before (nothing written); 409 when the period is
    not locked, was exported already (unless `reissue`), the key belongs to another
    period, or the database is busy."""
    key = _checked_key(idempotency_key)
    with refusals(), Session(config.engine) as session:
        found = find_export(session, body.period, key)
        rows = export_rows(session, found.id) if found is not None else []
    if found is not None:
        return _batch_response(found, rows, 200)
    with exclusive_write(config) as session:
        result = export_period(session, body.period, key, principal.name, reissue=body.reissue)
        rows = export_rows(session, result.batch.id)
    return _batch_response(result.batch, rows, 201 if result.created else 200)


def _batch_response(batch: ExportBatch, rows: list[ExportRow], status: int) -> Response:
    return Response(
        _batch_json(batch, rows),
        status_code=status,
        media_type="application/json",
        headers={"Location": f"/api/v1/exports/{batch.id}", SHA256_HEADER: batch.sha256},
    )


@router.get("/exports", response_model=list[ExportSummary])
def exports(
    period: PeriodFilter = None,
    _principal: Principal = Depends(require(Role.payroll, Role.ops)),
    session: Session = Depends(read_session),
) -> list[ExportSummary]:
    """Every export batch (of one period), oldest first."""
    try:
        only = _optional_period(period)
    except ValueError as error:
        raise ApiProblem(422, "Unprocessable Entity", f"query parameter period: {error}") from None
    return [ExportSummary.of(batch) for batch in list_exports(session, only)]


@router.get(
    "/exports/{batch_id}",
    response_model=ExportOut,
    responses={
        **CSV_RESPONSE,
        304: {"description": "Not Modified: the If-None-Match ETag is current."},
    },
)
def export_batch(
    batch_id: BatchPath,
    accept: Annotated[str | None, Header()] = None,
    if_none_match: Annotated[str | None, Header()] = None,
    _principal: Principal = Depends(require(Role.payroll, Role.ops)),
    session: Session = Depends(read_session),
) -> Response:
    """A batch and its rows as JSON, or with `Accept: text/csv` the exact bytes it
    stored; either is the same on every pull. The CSV's ETag and the
    X-Content-SHA256 header are its sha256; Repr-Digest (RFC 9530) says it too."""
    batch = get_export(session, batch_id)
    if batch is None:
        raise ApiProblem(404, "Not Found", f"no export batch {batch_id}")
    csv = wants_csv(accept)
    etag = f'"{batch.sha256}"' if csv else f'"{batch.sha256}-json"'
    headers = {"ETag": etag, "Vary": VARY, SHA256_HEADER: batch.sha256}
    if etag_matches(if_none_match, etag):
        return Response(status_code=304, headers=headers)
    if csv:
        digest = base64.b64encode(bytes.fromhex(batch.sha256)).decode()
        headers["Repr-Digest"] = f"sha-256=:{digest}:"
        return Response(batch.content.encode(), media_type=CSV_MEDIA_TYPE, headers=headers)
    rows = export_rows(session, batch_id)
    return Response(_batch_json(batch, rows), media_type="application/json", headers=headers)
