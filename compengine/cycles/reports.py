"""What ops look at: period status with totals, run records, the audit log.

Records hold typed values (numbers, None, lists, decoded JSON) so that JSON output keeps
them; the command line flattens them for tables and CSV. Times are shown in UTC with
their offset. Totals are summed in Python: SQLite's SUM fails on 64-bit overflow.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlmodel import Session

from compengine.cycles.inputs import require_payee
from compengine.errors import UserError
from compengine.money import format_cents
from compengine.storage.models import AUDIT_ACTIONS, AuditEvent, PayoutLine, Period, RunRecord

Record = dict[str, object]

STATUS_COLUMNS = ["period", "state", "stale", "last_run", "lines", "paid", "held", "adjustments"]
RUN_COLUMNS = [
    "run",
    "period",
    "started",
    "finished",
    "by",
    "lines",
    "total",
    "unassigned",
    "plans",
    "fingerprint",
]
AUDIT_COLUMNS = ["at", "actor", "action", "period", "payee", "reason", "before", "after"]


def utc_text(moment: datetime | None) -> str | None:
    """'2027-08-01T09:30:00+00:00'; a naive time is UTC (that is how it is stored)."""
    if moment is None:
        return None
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).replace(microsecond=0).isoformat()


def _period_totals(session: Session, periods: list[str]) -> dict[str, dict[str, int]]:
    totals: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    query = select(
        PayoutLine.period, PayoutLine.status, PayoutLine.kind, PayoutLine.amount_cents
    ).where(PayoutLine.period.in_(periods))
    for period, status, kind, cents in session.execute(query):
        totals[period][status] += cents
        totals[period]["lines"] += 1
        if kind == "adjustment":
            totals[period]["adjustments"] += cents
    return totals


def period_status(session: Session, period: str | None = None) -> list[Record]:
    query = select(Period).order_by(Period.period)
    if period is not None:
        query = query.where(Period.period == period)
    rows = list(session.execute(query).scalars())
    totals = _period_totals(session, [row.period for row in rows])
    return [
        {
            "period": row.period,
            "state": row.state,
            "stale": "stale" if row.stale else "",
            "last_run": utc_text(row.calculated_at),
            "lines": totals[row.period]["lines"],
            "paid": format_cents(totals[row.period]["paid"]),
            "held": format_cents(totals[row.period]["held"]),
            "adjustments": format_cents(totals[row.period]["adjustments"]),
        }
        for row in rows
    ]


def run_records(session: Session, period: str | None = None) -> list[Record]:
    query = select(RunRecord).order_by(RunRecord.id)
    if period is not None:
        query = query.where(RunRecord.period == period)
    return [
        {
            "run": run.id,
            "period": run.period,
            "started": utc_text(run.started_at),
            "finished": utc_text(run.finished_at),
            "by": run.actor,
            "lines": run.line_count,
            "total": format_cents(run.total_cents),
            "unassigned": format_cents(run.unassigned_cents),
            "plans": json.loads(run.plan_versions),
            "fingerprint": run.fingerprint,
        }
        for run in session.execute(query).scalars()
    ]


@dataclass(frozen=True)
class AuditFilter:
    """Which events `audit` shows; None means any."""

    since: datetime | None = None
    payee_id: str | None = None
    action: str | None = None
    period: str | None = None


_SINCE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9:.]+(Z|[+-][0-9]{2}:?[0-9]{2})?)?$")


def parse_since(text: str) -> datetime:
    """The moment `--since` names: a date (its start, UTC) or an ISO datetime, UTC unless
    it carries an offset. ASCII digits only, like every other input."""
    moment = None
    if _SINCE.match(text.strip()):
        with suppress(ValueError):
            moment = datetime.fromisoformat(text.strip())
    if moment is None:
        raise UserError.single(
            f"--since: {text!r} is not a date (YYYY-MM-DD) or an ISO datetime "
            "(YYYY-MM-DDTHH:MM[:SS][+HH:MM])"
        )
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _check_filter(session: Session, only: AuditFilter) -> None:
    """A misspelt payee or action must not read as 'nothing happened'."""
    if only.payee_id is not None:
        require_payee(session, only.payee_id)
    if only.action is not None and only.action not in AUDIT_ACTIONS:
        raise UserError.single(
            f"--action: compengine records no action {only.action!r} "
            f"(actions: {', '.join(AUDIT_ACTIONS)})"
        )


def audit_log(session: Session, only: AuditFilter = AuditFilter()) -> list[Record]:
    """The events that pass the filter, oldest first."""
    _check_filter(session, only)
    query = select(AuditEvent).order_by(AuditEvent.id)
    if only.since is not None:
        query = query.where(AuditEvent.at >= only.since)
    if only.payee_id is not None:
        query = query.where(AuditEvent.payee_id == only.payee_id)
    if only.action is not None:
        query = query.where(AuditEvent.action == only.action)
    if only.period is not None:
        query = query.where(AuditEvent.period == only.period)
    return [
        {
            "at": utc_text(event.at),
            "actor": event.actor,
            "action": event.action,
            "period": event.period,
            "payee": event.payee_id,
            "reason": event.reason,
            "before": None if event.before is None else json.loads(event.before),
            "after": None if event.after is None else json.loads(event.after),
        }
        for event in session.execute(query).scalars()
    ]
