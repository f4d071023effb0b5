"""The payroll pages (/payroll): locked periods with what each payee is paid, export (one
batch per click, however often the button is pressed), batches with their CSV.

The export form carries a one-time idempotency key made when the page is rendered: a
double click or a re-sent form sends the same key, and `export_period` answers the batch
that key made instead of making another. An export waits a few seconds at most for the
database lock: a double click's second request waits for the first (which takes well
under a second) and then finds its batch; when a longer command holds the lock, a key
that recorded a batch already is answered from it, any other form is refused as busy
and keeps its key.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session, select

from compengine.access.tokens import Role
from compengine.cycles.exports import (
    export_period,
    export_rows,
    find_export,
    get_export,
    list_exports,
)
from compengine.cycles.payroll import payroll_rows
from compengine.cycles.periods import LOCKED, get_period
from compengine.errors import UserError
from compengine.storage.locking import Busy, exclusive
from compengine.storage.models import ExportBatch, Period
from compengine.web.access import check_csrf, engine, role
from compengine.web.errors import error_page
from compengine.web.render import SECURITY_HEADERS, page
from compengine.web.sessions import SignedIn, new_secret
from compengine.web.urls import url_period

router = APIRouter()
READERS = Depends(role(Role.payroll, Role.ops))
EXPORTERS = Depends(role(Role.payroll))
MAX_BATCH_ID = 2**62
EXPORT_WAIT_SECONDS = 5  # what an export waits for the database lock (module docstring)


@router.get("/payroll")
def locked_periods(request: Request, who: SignedIn = READERS) -> Response:
    with Session(engine(request)) as session:
        query = select(Period).where(Period.state == LOCKED).order_by(Period.period.desc())
        periods = list(session.exec(query))
        batches = list_exports(session)
    return page(
        request, "payroll_periods.html.j2", who, title="Payroll", periods=periods, batches=batches
    )


def _period_page(
    request: Request,
    who: SignedIn,
    period: str,
    *,
    status: int = 200,
    error: str | None = None,
    key: str | None = None,
) -> Response:
    with Session(engine(request)) as session:
        try:
            rows = payroll_rows(session, period)
        except UserError as refusal:  # not locked: the API's 409, with the same words
            return error_page(request, 409, str(refusal))
        batches = list_exports(session, period)
    return page(
        request,
        "payroll_period.html.j2",
        who,
        status=status,
        title=f"Payroll {period}",
        period=period,
        rows=rows,
        batches=batches,
        idempotency_key=key or new_secret(),
        error=error,
    )


@router.get("/payroll/periods/{period}")
def period_page(request: Request, period: str, who: SignedIn = READERS) -> Response:
    return _period_page(request, who, url_period(period))


@router.post("/payroll/periods/{period}/export")
def export(
    request: Request,
    period: str,
    csrf_token: str = Form(""),
    idempotency_key: str = Form(""),
    reissue: str = Form(""),
    who: SignedIn = EXPORTERS,
) -> Response:
    check_csrf(who, csrf_token)
    period = url_period(period)
    try:
        with exclusive(engine(request), wait=True, wait_seconds=EXPORT_WAIT_SECONDS) as session:
            result = export_period(
                session, period, idempotency_key, who.principal.name, reissue=reissue == "yes"
            )
            batch_id = result.batch.id
    except Busy as busy:
        found = _recorded(request, period, idempotency_key)
        if found is None:
            return _refused(request, who, period, str(busy), idempotency_key)
        batch_id = found.id
    except UserError as refusal:
        return _refused(request, who, period, str(refusal))
    return RedirectResponse(f"/payroll/exports/{batch_id}", status_code=303)


def _recorded(request: Request, period: str, key: str) -> ExportBatch | None:
    """The batch the form's key recorded already (a double click's first click, a re-sent
    form), read without the lock."""
    with Session(engine(request)) as session:
        return find_export(session, period, key)


def _refused(
    request: Request, who: SignedIn, period: str, message: str, key: str | None = None
) -> Response:
    """409 with the refusal: on the period's page, whose form keeps the key of a busy
    attempt (it recorded nothing, so pressing again exports once), or alone when the
    period is not locked (any more)."""
    with Session(engine(request)) as session:
        locked = get_period(session, period).state == LOCKED
    if not locked:
        return error_page(request, 409, message)
    return _period_page(request, who, period, status=409, error=message, key=key)


def _batch(session: Session, batch_id: str):
    if (
        len(batch_id) > len(str(MAX_BATCH_ID))
        or not batch_id.isascii()
        or not batch_id.isdigit()
        or int(batch_id) > MAX_BATCH_ID
    ):
        raise HTTPException(404)
    batch = get_export(session, int(batch_id))
    if batch is None:
        raise HTTPException(404)
    return batch


# before /payroll/exports/{batch_id}, which would match "7.csv" too
@router.get("/payroll/exports/{batch_id}.csv")
def batch_csv(request: Request, batch_id: str, who: SignedIn = READERS) -> Response:
    with Session(engine(request)) as session:
        batch = _batch(session, batch_id)
    filename = f"payroll_{batch.period}_batch{batch.id}.csv"
    headers = {**SECURITY_HEADERS, "Content-Disposition": f'attachment; filename="{filename}"'}
    return Response(
        batch.content.encode("utf-8"), media_type="text/csv; charset=utf-8", headers=headers
    )


@router.get("/payroll/exports/{batch_id}")
def batch_page(request: Request, batch_id: str, who: SignedIn = READERS) -> Response:
    with Session(engine(request)) as session:
        batch = _batch(session, batch_id)
        rows = export_rows(session, batch.id)
    return page(
        request, "payroll_batch.html.j2", who, title=f"Export {batch.id}", batch=batch, rows=rows
    )
