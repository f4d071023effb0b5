"""`compengine run --period P`: compute P's payout lines in one transaction.

Reads the snapshot and the payouts paid in earlier periods, calculates, replaces P's
calculated lines (adjustments stay), records unassigned credit, warnings and a run
record, marks later calculated periods stale, and commits, or writes nothing at all.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from fractions import Fraction

import numpy as np
import pandas as pd
import pyarrow as pa
from sqlalchemy import delete, func, insert, select
from sqlmodel import Session

from compengine.calc.snapshot import read_snapshot
from compengine.cycles import audit
from compengine.cycles.catch_up import (
    CATCH_UP,
    explain_releases,
    held_adjustment_catch_ups,
    held_releases,
)
from compengine.cycles.faults import pause_point
from compengine.cycles.fingerprint import fingerprint
from compengine.cycles.frozen import record_plan_versions, refuse_changed_frozen_versions
from compengine.cycles.periods import (
    CALCULATED,
    LOCKED,
    OPEN,
    get_period,
    mark_later_stale,
    refuse_if_later_locked,
    refuse_unless,
)
from compengine.cycles.run_warnings import period_warnings
from compengine.cycles.true_up import label_true_ups
from compengine.money import format_cents, round_cents
from compengine.months import format_period, parse_period
from compengine.plan.model import PlanVersion
from compengine.results.payouts import (
    PAID_COLUMNS,
    STORED_LINE_COLUMNS,
    PeriodResult,
    calculate_period,
)
from compengine.storage import bulk
from compengine.storage.locking import exclusive
from compengine.storage.models import (
    Hold,
    LoadBatch,
    PayoutLine,
    Period,
    RunIssue,
    RunRecord,
    UnassignedCredit,
)


@dataclass
class RunSummary:
    period: str
    run_id: int
    fingerprint: str
    lines: int
    total_cents: int
    by_component: dict[str, int]
    taken_back: dict[str, int]  # per component, the sum of its negative lines (≤ 0)
    unassigned_cents: int
    unassigned_items: int
    warnings: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)


def paid_before(session: Session, period: str) -> pd.DataFrame:
    """What was paid (not held) on each (payee, component, contract) before `period`."""
    rows = session.execute(
        select(
            PayoutLine.payee_id,
            PayoutLine.plan_id,
            PayoutLine.component_id,
            PayoutLine.contract_id,
            func.sum(PayoutLine.amount_cents),
        )
        .where(
            PayoutLine.period < period,
            PayoutLine.kind == "calculated",
            PayoutLine.component_id != CATCH_UP,
            PayoutLine.status == "paid",
        )
        .group_by(
            PayoutLine.payee_id, PayoutLine.plan_id, PayoutLine.component_id, PayoutLine.contract_id
        )
    ).all()
    frame = pd.DataFrame([tuple(r) for r in rows], columns=PAID_COLUMNS)
    return frame.astype({"paid_cents": "int64"})


def last_locked_before(session: Session, period: str) -> str | None:
    query = select(func.max(Period.period)).where(Period.period < period, Period.state == LOCKED)
    return session.execute(query).scalar_one_or_none()


def held_payees(session: Session, period: str) -> set[str]:
    return set(
        session.execute(select(Hold.payee_id).where(Hold.period == period, Hold.active)).scalars()
    )


def _write_result(
    session: Session,
    period: str,
    run_id: int,
    result: PeriodResult,
    held: set[str],
    locked: str | None,
    at: datetime,
) -> None:
    """Replace the period's calculated lines, unassigned credit and warnings (bulk inserts:
    a period can have tens of thousands of lines)."""
    session.execute(
        delete(PayoutLine).where(PayoutLine.period == period, PayoutLine.kind == "calculated")
    )
    session.execute(delete(UnassignedCredit).where(UnassignedCredit.period == period))
    session.execute(delete(RunIssue).where(RunIssue.period == period))
    if len(result.lines):
        connection = session.connection()
        at_text = bulk.stored_time(at, connection.dialect.name)
        rows = _line_rows(result.lines, period, run_id, held, locked, at_text)
        bulk.append(connection, PayoutLine.__table__, rows)
    if len(result.unassigned):
        _insert_many(
            session,
            UnassignedCredit,
            [
                {
                    "period": period,
                    "run_id": run_id,
                    "account_id": item.account_id,
                    "contract_id": item.contract_id,
                    "plan_id": item.plan_id,
                    "component_id": item.component_id,
                    "role": item.role,
                    "month": format_period(int(item.month)),
                    "amount_exact": str(item.amount),
                    "amount_cents": round_cents(item.amount),
                }
                for item in result.unassigned.itertuples()
            ],
        )
    if result.warnings:
        _insert_many(
            session,
            RunIssue,
            [{"period": period, "run_id": run_id, "message": w} for w in result.warnings],
        )


_TEXT, _INTEGER = pa.string(), pa.int64()
INTEGER_LINE_COLUMNS = {"plan_version", "earned_to_date_cents", "paid_before_cents", "amount_cents"}


def _line_rows(
    lines: pd.DataFrame,
    period: str,
    run_id: int,
    held: set[str],
    locked: str | None,
    at: str,
) -> pa.Table:
    """The stored columns of the lines, typed, for one bulk insert (tens of thousands of
    lines: column at a time, not a dict per line)."""
    count = len(lines)
    columns = {
        name: pa.Array.from_pandas(
            lines[name], type=_INTEGER if name in INTEGER_LINE_COLUMNS else _TEXT
        )
        for name in STORED_LINE_COLUMNS
    }
    known = lines["earned_as_of_cents"]
    columns |= {
        "period": pa.repeat(period, count),
        "run_id": pa.repeat(run_id, count),
        "kind": pa.repeat("calculated", count),
        "created_at": pa.repeat(at, count),
        "status": pa.array(np.where(lines["payee_id"].isin(held), "held", "paid")),
        "locked_through": pa.nulls(count, _TEXT) if locked is None else pa.repeat(locked, count),
        "locked_earned_cents": (
            pa.nulls(count, _INTEGER)
            if locked is None
            else pa.Array.from_pandas(known, type=_INTEGER)
        ),
        "lineage": pa.array(
            [json.dumps(x, sort_keys=True, separators=(",", ":")) for x in lines["lineage"]],
            _TEXT,
        ),
    }
    return pa.table(columns)


def _insert_many(session: Session, model: type, records: list[dict]) -> None:
    """One executemany on the table itself: ORM bulk inserts spend more time in
    per-object bookkeeping than the database spends writing (1 s of 4 s for 25,000
    lines)."""
    session.connection().execute(insert(model.__table__), records)


@dataclass
class ComputedRun:
    """A period computed in memory from the database as it stands: what `run` writes, and
    what a dry run or a what-if compares with the stored lines."""

    period: str
    result: PeriodResult
    fingerprint: str
    locked: str | None  # the latest locked period before it
    last_load_id: int | None  # the newest load batch when the ledger was read


def compute_run(session: Session, period: str, plans: list[PlanVersion]) -> ComputedRun:
    """Everything a run of `period` would write, computed without writing anything."""
    month = parse_period(period)
    last_load_id = session.execute(select(func.max(LoadBatch.id))).scalar_one_or_none()
    snapshot = read_snapshot(session, last_month=month)
    paid = paid_before(session, period)
    locked = last_locked_before(session, period)
    result = calculate_period(
        snapshot, plans, month, paid, as_of=parse_period(locked) if locked else None
    )
    if locked:
        result.lines = label_true_ups(session, result.lines, locked, period, snapshot.contracts)
    result.lines = explain_releases(result.lines, held_releases(session, period))
    catch_ups = held_adjustment_catch_ups(session, period)
    if len(catch_ups):
        result.lines = pd.concat([result.lines, catch_ups], ignore_index=True)
    result.warnings += period_warnings(session, period, snapshot, result.lines)
    return ComputedRun(
        period, result, fingerprint(snapshot, plans, paid, period), locked, last_load_id
    )


def _component_name(plan_id: str, component_id: str) -> str:
    return f"{plan_id}/{component_id}" if plan_id else component_id


def summarize(computed: ComputedRun, run_id: int) -> RunSummary:
    lines, unassigned = computed.result.lines, computed.result.unassigned
    by_component = lines.groupby(["plan_id", "component_id"])["amount_cents"].sum()
    negative = lines[lines["amount_cents"] < 0]
    taken_back = negative.groupby(["plan_id", "component_id"])["amount_cents"].sum()
    return RunSummary(
        period=computed.period,
        run_id=run_id,
        fingerprint=computed.fingerprint,
        lines=len(lines),
        total_cents=int(lines["amount_cents"].sum()),
        by_component={_component_name(p, c): int(v) for (p, c), v in by_component.items()},
        taken_back={_component_name(p, c): int(v) for (p, c), v in taken_back.items()},
        unassigned_cents=round_cents(Fraction(sum(unassigned["amount"], start=0))),
        unassigned_items=len(unassigned),
        warnings=computed.result.warnings,
    )


def summary_lines(summary: RunSummary) -> list[str]:
    """The run summary as ops read it: new pay and take-backs apart, per component."""
    taken = sum(summary.taken_back.values())
    total = format_cents(summary.total_cents, grouping=True)
    if taken:
        total += (
            f" (new pay {format_cents(summary.total_cents - taken, grouping=True)}, "
            f"taken back {format_cents(taken, grouping=True)})"
        )
    lines = [
        f"period {summary.period}: run {summary.run_id}, {summary.lines} payout lines, "
        f"total {total}"
    ]
    for component, net in sorted(summary.by_component.items()):
        back = summary.taken_back.get(component, 0)
        if not back:
            lines.append(f"  {component}: {format_cents(net, grouping=True)}")
        elif back == net:
            lines.append(f"  {component}: {format_cents(back, grouping=True)} taken back")
        else:
            lines.append(
                f"  {component}: {format_cents(net - back, grouping=True)} new pay, "
                f"{format_cents(back, grouping=True)} taken back, "
                f"net {format_cents(net, grouping=True)}"
            )
    return lines


def run_period(
    engine, period: str, plans: list[PlanVersion], actor: str, *, wait: bool = False
) -> RunSummary:
    started = audit.now()
    with exclusive(engine, wait=wait) as session:
        state = get_period(session, period)
        refuse_unless(state, (OPEN, CALCULATED), "run")
        refuse_if_later_locked(session, period, "run")
        refuse_changed_frozen_versions(session, plans)
        computed = compute_run(session, period, plans)
        run = RunRecord(
            period=period,
            started_at=started,
            finished_at=started,
            actor=actor,
            fingerprint=computed.fingerprint,
            last_load_id=computed.last_load_id,
            plan_versions=json.dumps(sorted({f"{p.plan_id}:v{p.version}" for p in plans})),
        )
        session.add(run)
        session.flush()
        record_plan_versions(session, run.id, plans)
        _write_result(
            session,
            period,
            run.id,
            computed.result,
            held_payees(session, period),
            computed.locked,
            started,
        )
        pause_point("run:written")

        summary = summarize(computed, run.id)
        summary.stale = mark_later_stale(session, period)
        before_state = state.state
        state.state, state.stale, state.calculated_at, state.last_run_id = (
            CALCULATED,
            False,
            started,
            run.id,
        )
        session.add(state)
        run.line_count, run.total_cents, run.unassigned_cents = (
            summary.lines,
            summary.total_cents,
            summary.unassigned_cents,
        )
        run.summary = json.dumps(
            {
                "by_component": summary.by_component,
                "taken_back": summary.taken_back,
                "warnings": summary.warnings,
            }
        )
        run.finished_at = audit.now()
        session.add(run)
        audit.record(
            session,
            actor,
            "run",
            period=period,
            before={"state": before_state},
            after={"state": CALCULATED, "run_id": run.id, "fingerprint": run.fingerprint},
        )
    return summary
