"""GET /periods/{P}/payouts: a period's lines, as JSON pages or as streamed CSV.

Ops read any period; payroll reads locked periods only (409 otherwise), since only a
locked period never changes.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Response
from fastapi.responses import StreamingResponse
from sqlmodel import Session

from compengine.access.tokens import Principal, Role
from compengine.api.deps import IdQuery, PeriodPath, api_config, reading_engine, require
from compengine.api.lines import (
    CSV_MEDIA_TYPE,
    Cursor,
    LineFilter,
    content_etag,
    csv_chunks,
    etag_matches,
    filter_scope,
    line_page,
    lines_version,
    read_cursor,
    strong_etag,
    wants_csv,
)
from compengine.api.problems import ApiProblem
from compengine.api.schemas import PayoutLineOut, PayoutPage
from compengine.cycles.periods import LOCKED, get_period
from compengine.server import ServerConfig

router = APIRouter(tags=["payouts"])

DEFAULT_LIMIT = 1000
MAX_LIMIT = 5000
MAX_CURSOR = 400  # characters: a real cursor has about 120
VARY = "Accept, Authorization"


def _readable(session: Session, period: str, principal: Principal) -> None:
    if principal.role is Role.payroll:
        state = get_period(session, period).state
        if state != LOCKED:
            raise ApiProblem(
                409,
                "Conflict",
                f"period {period} is {state}: payroll reads only locked periods",
            )


@router.get(
    "/periods/{period}/payouts",
    response_model=PayoutPage,
    responses={
        200: {"content": {"text/csv": {"schema": {"type": "string"}}}},
        304: {"description": "Not Modified: the If-None-Match ETag is current."},
    },
)
def payouts(
    period: PeriodPath,
    payee_id: IdQuery = None,
    plan_id: IdQuery = None,
    component_id: IdQuery = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query(min_length=1, max_length=MAX_CURSOR)] = None,
    accept: Annotated[str | None, Header()] = None,
    if_none_match: Annotated[str | None, Header()] = None,
    principal: Principal = Depends(require(Role.ops, Role.payroll)),
    config: ServerConfig = Depends(api_config),
) -> Response:
    """The period's lines: the spec's columns, status, id and lineage. JSON pages in id
    order (`?limit=`, `?cursor=` the previous page's `next_cursor`), or with
    `Accept: text/csv` the whole (filtered) period exactly as `payouts --format csv`.
    Strong ETag; `If-None-Match` answers 304."""
    only = LineFilter(payee_id, plan_id, component_id)
    session = Session(reading_engine(config.engine))
    try:
        _readable(session, period, principal)
        if wants_csv(accept):
            etag = strong_etag(
                "csv", period, *lines_version(session, period, only), filter_scope(only)
            )
            if etag_matches(if_none_match, etag):
                session.close()
                return Response(status_code=304, headers={"ETag": etag, "Vary": VARY})
            stream = csv_chunks(session, period, only)  # closes the session at its end
            return StreamingResponse(
                stream, media_type=CSV_MEDIA_TYPE, headers={"ETag": etag, "Vary": VARY}
            )
        with session:
            return _page(session, period, only, limit, cursor, if_none_match)
    except BaseException:
        session.close()
        raise


def _page(
    session: Session,
    period: str,
    only: LineFilter,
    limit: int,
    cursor: str | None,
    if_none_match: str | None,
) -> Response:
    run_id = get_period(session, period).last_run_id
    after = 0 if cursor is None else read_cursor(cursor, period, only, run_id)
    lines, more = line_page(session, period, only, after, limit)
    next_cursor = (
        Cursor(period, filter_scope(only), run_id, lines[-1].id).encode() if more else None
    )
    body = PayoutPage(data=[PayoutLineOut.of(line) for line in lines], next_cursor=next_cursor)
    content = body.model_dump_json().encode()
    etag = content_etag(content)
    headers = {"ETag": etag, "Vary": VARY}
    if etag_matches(if_none_match, etag):
        return Response(status_code=304, headers=headers)
    return Response(content, media_type="application/json", headers=headers)
