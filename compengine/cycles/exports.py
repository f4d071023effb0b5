"""Payroll export batches (spec section 10): a locked period's payroll rows, recorded once.

Payroll integrations retry, and a retry that books a period twice pays people twice.
So an export is keyed by the caller's idempotency key: the same key returns the same
batch and writes nothing; a new key for a period already exported is refused, naming
the earlier batch, unless it asks for a reissue (audited). A batch keeps its rows and
the exact CSV text it serves, with that text's sha256, so every pull is identical.

Callers hold the database lock (`storage.locking.exclusive`), which serializes exports;
the unique key is the last guard: a writer that loses a race reads the winner's batch.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from compengine.cycles import audit
from compengine.cycles.payroll import payroll_csv, payroll_rows, require_locked
from compengine.errors import UserError
from compengine.money import format_cents
from compengine.storage.models import ExportBatch, ExportRow

MAX_KEY_LENGTH = 200
# printable ASCII, no space at either end (HTTP strips it from a header anyway)
_KEY = re.compile(r"[!-~]([ -~]*[!-~])?")
KEY_RULE = f"1 to {MAX_KEY_LENGTH} printable ASCII characters, no space at either end"


@dataclass(frozen=True)
class ExportResult:
    """The batch, detached from the session with every column loaded: usable after the
    caller's commit."""

    batch: ExportBatch
    created: bool  # False: the key's earlier batch, returned again


def checked_idempotency_key(key: str, where: str) -> str:
    """The key, or a UserError located at `where` (`--key`, the Idempotency-Key header)."""
    if len(key) > MAX_KEY_LENGTH or not _KEY.fullmatch(key):
        shown = key if len(key) <= 40 else key[:40] + "..."
        raise UserError.single(f"{where}: {shown!r} is not an idempotency key ({KEY_RULE})")
    return key


def _by_key(session: Session, key: str) -> ExportBatch | None:
    return session.execute(
        select(ExportBatch).where(ExportBatch.idempotency_key == key)
    ).scalar_one_or_none()


def _replayed(session: Session, batch: ExportBatch, period: str) -> ExportResult:
    if batch.period != period:
        raise UserError.single(
            f"idempotency key {batch.idempotency_key!r} was used for batch {batch.id} of "
            f"period {batch.period}, not {period}; use a new key for another period"
        )
    return _detached(session, batch, created=False)


def _detached(session: Session, batch: ExportBatch, created: bool) -> ExportResult:
    session.expunge(batch)
    return ExportResult(batch, created)


def _latest_of(session: Session, period: str) -> ExportBatch | None:
    return (
        session.execute(
            select(ExportBatch).where(ExportBatch.period == period).order_by(ExportBatch.id.desc())
        )
        .scalars()
        .first()
    )


def _describe(batch: ExportBatch) -> str:
    return (
        f"batch {batch.id}, created {batch.created_at.isoformat(timespec='seconds')} "
        f"by {batch.actor}"
    )


def export_period(
    session: Session, period: str, idempotency_key: str, actor: str, *, reissue: bool = False
) -> ExportResult:
    """Record an export batch of a locked period, or return the key's earlier one."""
    key = checked_idempotency_key(idempotency_key, "idempotency key")
    existing = _by_key(session, key)
    if existing is not None:
        return _replayed(session, existing, period)
    require_locked(session, period)
    earlier = _latest_of(session, period)
    if earlier is not None and not reissue:
        raise UserError.single(
            f"period {period} was already exported ({_describe(earlier)}); pull that batch "
            "again, or ask for a reissue to record a new one"
        )
    rows = payroll_rows(session, period)
    content = payroll_csv(rows)
    batch = ExportBatch(
        period=period,
        idempotency_key=key,
        created_at=audit.now(),
        actor=actor,
        reissue=earlier is not None,
        row_count=len(rows),
        total_cents=sum(row.amount_cents for row in rows),
        sha256=hashlib.sha256(content.encode("utf-8")).hexdigest(),
        content=content,
    )
    try:
        with session.begin_nested():
            session.add(batch)
            session.flush()
    except IntegrityError:
        winner = _by_key(session, key)
        if winner is None:
            raise
        return _replayed(session, winner, period)
    if rows:
        session.execute(
            insert(ExportRow),
            [
                {
                    "batch_id": batch.id,
                    "seq": seq,
                    "payee_id": row.payee_id,
                    "name": row.name,
                    "email": row.email,
                    "earnings_code": row.earnings_code,
                    "amount_cents": row.amount_cents,
                }
                for seq, row in enumerate(rows, start=1)
            ],
        )
    audit.record(
        session,
        actor,
        "export-reissue" if earlier is not None else "export",
        period=period,
        reason=None if earlier is None else f"reissue of batch {earlier.id}",
        before=None if earlier is None else {"batch_id": earlier.id},
        after={
            "batch_id": batch.id,
            "idempotency_key": key,
            "rows": batch.row_count,
            "total": format_cents(batch.total_cents),
            "sha256": batch.sha256,
        },
    )
    return _detached(session, batch, created=True)


def list_exports(session: Session, period: str | None = None) -> list[ExportBatch]:
    """Every batch (of one period), oldest first."""
    query = select(ExportBatch).order_by(ExportBatch.id)
    if period is not None:
        query = query.where(ExportBatch.period == period)
    return list(session.execute(query).scalars())


def get_export(session: Session, batch_id: int) -> ExportBatch | None:
    return session.get(ExportBatch, batch_id)


def export_rows(session: Session, batch_id: int) -> list[ExportRow]:
    """A batch's rows in the order of its CSV."""
    query = select(ExportRow).where(ExportRow.batch_id == batch_id).order_by(ExportRow.seq)
    return list(session.execute(query).scalars())
