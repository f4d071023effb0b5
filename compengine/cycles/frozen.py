"""Plan versions are frozen once they paid a locked period (spec section 8).

Each run records the content hash and effective range of every plan version it was given.
A version that paid lines in a locked period must then stay in the plan files with the
same content (`compengine.plan.content`), and in force in exactly the same locked months
as when the latest locked period was run: its `to:` may end it after those months, never
within them. Otherwise `run`, `diff` and `plan check --db` refuse, naming the plan, the
version, the locked periods it paid and the fix, so editing a plan in place can never
take back locked pay.

A plan whose id is in none of the files given is left alone: its lines are not
recalculated at all (the run warns). Versions that paid locked periods before hashes
were recorded (runs before migration 0003) are held to being present; their content is
compared from the first locked period whose run recorded it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import insert, select
from sqlmodel import Session

from compengine.cycles.periods import LOCKED
from compengine.errors import Problem, UserError
from compengine.months import format_period, parse_period
from compengine.plan.content import content_hash
from compengine.plan.model import PlanVersion
from compengine.storage.models import PayoutLine, Period, RunPlanVersion

README_SECTION = 'README: "Changing a plan"'


@dataclass
class FrozenVersion:
    """A plan version that paid lines in locked periods, with the record it was paid under."""

    plan_id: str
    version: int
    paid_periods: list[str]
    record: RunPlanVersion | None = None  # None: paid before hashes were recorded


@dataclass
class FrozenCheck:
    problems: list[Problem] = field(default_factory=list)  # run refuses
    warnings: list[str] = field(default_factory=list)  # what could not be compared


def record_plan_versions(session: Session, run_id: int, plans: Iterable[PlanVersion]) -> None:
    """Store the content hash and effective range of every plan version a run used."""
    rows = [
        {
            "run_id": run_id,
            "plan_id": plan.plan_id,
            "version": plan.version,
            "content_hash": content_hash(plan),
            "effective_from": format_period(plan.effective_from),
            "effective_to": None if plan.effective_to is None else format_period(plan.effective_to),
        }
        for plan in plans
    ]
    if rows:
        session.execute(insert(RunPlanVersion), rows)


def refuse_changed_frozen_versions(session: Session, plans: Sequence[PlanVersion]) -> None:
    """UserError naming every frozen version that the plan files lack or alter."""
    problems = check_frozen_versions(session, plans).problems
    if problems:
        raise UserError(problems)


def check_frozen_versions(session: Session, plans: Sequence[PlanVersion]) -> FrozenCheck:
    check = FrozenCheck()
    last_locked = session.execute(
        select(Period.period).where(Period.state == LOCKED).order_by(Period.period.desc())
    ).first()
    if last_locked is None:
        return check
    locked_through = parse_period(last_locked[0])
    given = {(plan.plan_id, plan.version): plan for plan in plans}
    for frozen in frozen_versions(session):
        plan = given.get((frozen.plan_id, frozen.version))
        siblings = [p for p in plans if p.plan_id == frozen.plan_id]
        wrong = _what_is_wrong(frozen, plan, locked_through)
        if wrong:
            field_name, what = wrong
            where = plan or (siblings[0] if siblings else None)
            fix = (
                _fix(frozen, plan, siblings, locked_through)
                if where
                else f"give the plan file of {frozen.plan_id} too (--plans the folder that "
                "holds it); to stop paying under it, end its last version with `to:` instead"
            )
            message = (
                f"{frozen.plan_id} v{frozen.version} paid lines in locked periods "
                f"{month_ranges(frozen.paid_periods)}, but {what}; a run would change locked "
                f"pay. Fix: {fix} ({README_SECTION})"
            )
            if where is None:  # the whole plan is missing: no file to point at
                check.problems.append(Problem("--plans", None, None, message))
                continue
            line = where.effective_line if field_name == "effective" else where.line
            check.problems.append(Problem(where.source, line, field_name, message))
        elif frozen.record is None:
            check.warnings.append(
                f"{frozen.plan_id} v{frozen.version} paid locked periods "
                f"{month_ranges(frozen.paid_periods)} before plan contents were recorded: "
                "it must stay in the plan files, but its content cannot be compared"
            )
    return check


def frozen_versions(session: Session) -> list[FrozenVersion]:
    """Every (plan, version) on a calculated line of a locked period, with the record of the
    latest locked period's run that used it."""
    paid = session.execute(
        select(PayoutLine.plan_id, PayoutLine.plan_version, PayoutLine.period)
        .join(Period, Period.period == PayoutLine.period)
        .where(
            Period.state == LOCKED,
            PayoutLine.kind == "calculated",
            PayoutLine.plan_id != "",
            PayoutLine.plan_version.is_not(None),
        )
        .distinct()
    ).all()
    periods: dict[tuple[str, int], set[str]] = defaultdict(set)
    for plan_id, version, period in paid:
        periods[(plan_id, int(version))].add(period)
    records = session.execute(
        select(RunPlanVersion, Period.period)
        .join(Period, Period.last_run_id == RunPlanVersion.run_id)
        .where(Period.state == LOCKED)
        .order_by(Period.period)
    ).all()
    latest = {(record.plan_id, record.version): record for record, _ in records}
    return [
        FrozenVersion(plan_id, version, sorted(months), latest.get((plan_id, version)))
        for (plan_id, version), months in sorted(periods.items())
    ]


def _what_is_wrong(
    frozen: FrozenVersion, plan: PlanVersion | None, locked_through: int
) -> tuple[str, str] | None:
    """(the field to point at, what is wrong), or None when the version is as it was."""
    if plan is None:
        return "version", "it is missing from the plan files"
    record = frozen.record
    if record is None:
        return None
    if content_hash(plan) != record.content_hash:
        return "version", "its content has changed since (an edit without a version bump)"
    before = _locked_months(
        parse_period(record.effective_from),
        None if record.effective_to is None else parse_period(record.effective_to),
        locked_through,
    )
    now = _locked_months(plan.effective_from, plan.effective_to, locked_through)
    if now == before:
        return None
    return "effective", (
        f"its effective range now puts it in force in locked months {_range_text(now)} "
        f"instead of {_range_text(before)}"
    )


def _locked_months(start: int, end: int | None, locked_through: int) -> tuple[int, int] | None:
    """The months of [start, end] up to the last locked period; None when there are none."""
    last = locked_through if end is None else min(end, locked_through)
    return (start, last) if start <= last else None


def _range_text(months: tuple[int, int] | None) -> str:
    if months is None:
        return "none"
    return month_ranges([format_period(m) for m in range(months[0], months[1] + 1)])


def _fix(
    frozen: FrozenVersion,
    plan: PlanVersion | None,
    siblings: Sequence[PlanVersion],
    locked_through: int,
) -> str:
    """`keep version 1 with effective: {from: 2027-01, to: 2027-06} and add version 2 from
    2027-07`, from what was recorded (or, without a record, what is known)."""
    record = frozen.record
    start = (
        record.effective_from if record else (format_period(plan.effective_from) if plan else None)
    )
    ended = record and record.effective_to and parse_period(record.effective_to) <= locked_through
    if ended:
        return (
            f"keep version {frozen.version} as it was, with "
            f"`effective: {{from: {start}, to: {record.effective_to}}}`"
        )
    later_starts = [p.effective_from for p in siblings if p.effective_from > locked_through]
    end = min(later_starts) - 1 if later_starts else locked_through
    later = [p.version for p in siblings if p.version > frozen.version]
    number = min(later) if later else max([frozen.version, *(p.version for p in siblings)]) + 1
    to = format_period(end)
    keep = (
        f"keep version {frozen.version} with `effective: {{from: {start}, to: {to}}}`"
        if start
        else f"keep version {frozen.version} as it was, ending it with `to: {to}`"
    )
    return f"{keep} and add version {number} from {format_period(end + 1)}"


def month_ranges(periods: Iterable[str]) -> str:
    """'2027-01..2027-06, 2027-09' for the months given."""
    months = sorted({parse_period(p) for p in periods})
    runs: list[list[int]] = []
    for month in months:
        if runs and month == runs[-1][1] + 1:
            runs[-1][1] = month
        else:
            runs.append([month, month])
    return ", ".join(
        format_period(a) if a == b else f"{format_period(a)}..{format_period(b)}" for a, b in runs
    )
