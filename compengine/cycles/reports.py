"""What ops look at: period status with totals, run records, the audit log."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlmodel import Session

from compengine.money import format_cents
from compengine.storage.models import AuditEvent, PayoutLine, Period, RunRecord


def period_status(session: Session, period: str | None = None) -> list[dict[str, str]]:
    query = select(Period).order_by(Period.period)
    if period is not None:
        query = query.where(Period.period == period)
    rows = []
    for row in session.execute(query).scalars():
        totals = dict(
            session.execute(
                select(PayoutLine.status, func.sum(PayoutLine.amount_cents))
                .where(PayoutLine.period == row.period)
                .group_by(PayoutLine.status)
            ).all()
        )
        adjustments = session.execute(
            select(func.coalesce(func.sum(PayoutLine.amount_cents), 0)).where(
                PayoutLine.period == row.period, PayoutLine.kind == "adjustment"
            )
        ).scalar_one()
        lines = session.execute(
            select(func.count()).select_from(PayoutLine).where(PayoutLine.period == row.period)
        ).scalar_one()
        rows.append(
            {
                "period": row.period,
                "state": row.state,
                "stale": "stale" if row.stale else "",
                "last_run": row.calculated_at.strftime("%Y-%m-%d %H:%M:%S")
                if row.calculated_at
                else "",
                "lines": str(lines),
                "paid": format_cents(int(totals.get("paid") or 0)),
                "held": format_cents(int(totals.get("held") or 0)),
                "adjustments": format_cents(int(adjustments)),
            }
        )
    return rows


def run_records(session: Session, period: str | None = None) -> list[dict[str, str]]:
    query = select(RunRecord).order_by(RunRecord.id)
    if period is not None:
        query = query.where(RunRecord.period == period)
    return [
        {
            "run": str(run.id),
            "period": run.period,
            "started": run.started_at.strftime("%Y-%m-%d %H:%M:%S"),
            "finished": run.finished_at.strftime("%Y-%m-%d %H:%M:%S"),
            "by": run.actor,
            "lines": str(run.line_count),
            "total": format_cents(run.total_cents),
            "unassigned": format_cents(run.unassigned_cents),
            "plans": run.plan_versions,
            "fingerprint": run.fingerprint,
        }
        for run in session.execute(query).scalars()
    ]


def audit_log(session: Session, since: date | None = None) -> list[dict[str, str]]:
    query = select(AuditEvent).order_by(AuditEvent.id)
    if since is not None:
        query = query.where(AuditEvent.at >= since)
    return [
        {
            "at": event.at.strftime("%Y-%m-%d %H:%M:%S"),
            "actor": event.actor,
            "action": event.action,
            "period": event.period or "",
            "payee": event.payee_id or "",
            "reason": event.reason or "",
            "before": event.before or "",
            "after": event.after or "",
        }
        for event in session.execute(query).scalars()
    ]
