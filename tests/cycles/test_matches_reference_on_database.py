"""The whole product path agrees with the Fraction reference, on SQLite and PostgreSQL.

Random scenarios go through CSV files, `load` (late entries arrive in later loads),
`run` with its stored payouts, and are read back from the payout_line,
unassigned_credit and run_issue tables: storage, the paid-before query, the partial
end months read from the raw ledger and the transactions are held to the reference
too, not only the in-memory engine.
"""

from __future__ import annotations

import csv
from fractions import Fraction
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from sqlalchemy import select, text
from sqlmodel import Session, SQLModel

from compengine.calc.errors import ConfigurationError
from compengine.cycles.run import run_period
from compengine.errors import UserError
from compengine.ledger.load import load_directory
from compengine.storage.database import make_engine, upgrade_schema
from compengine.storage.models import PayoutLine, RunIssue, UnassignedCredit
from tests.reference.fraction_reference import reference_cycle
from tests.reference.scenario import Scenario
from tests.results.test_engine_matches_reference import (
    LINE_FIELDS,
    Step,
    assert_same_steps,
    decimal_text,
    reference_steps,
    uncovered_only,
)
from tests.strategies import cycles

DB_SETTINGS = settings(
    max_examples=max(5, settings.default.max_examples // 4),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    deadline=None,
)


def write_ledger(scenario: Scenario, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    tables = {
        "payees.csv": (
            ["payee_id", "name"],
            sorted({(a.payee_id, a.payee_id) for a in scenario.assignments}),
        ),
        "accounts.csv": (
            ["account_id", "name", "parent_id", "segment", "region"],
            [
                (a.account_id, a.name, a.parent_id or "", a.segment or "", a.region or "")
                for a in scenario.accounts
            ],
        ),
        "assignments.csv": (
            ["account_id", "payee_id", "role", "start", "end", "split"],
            [
                (
                    a.account_id,
                    a.payee_id,
                    a.role,
                    a.start.isoformat(),
                    a.end.isoformat() if a.end else "",
                    decimal_text(a.split),
                )
                for a in scenario.assignments
            ],
        ),
        "contracts.csv": (
            ["contract_id", "account_id", "signed_on", "commit_monthly", "products", "ends_on"],
            [
                (
                    c.contract_id,
                    c.account_id,
                    c.signed_on.isoformat(),
                    decimal_text(c.commit_monthly),
                    ";".join(c.products),
                    c.ends_on.isoformat() if c.ends_on else "",
                )
                for c in scenario.contracts
            ],
        ),
        "usage.csv": (
            ["entry_id", "account_id", "date", "amount", "product"],
            [
                (u.entry_id, u.account_id, u.date.isoformat(), decimal_text(u.amount), u.product)
                for u in scenario.usage
            ],
        ),
    }
    for name, (header, rows) in tables.items():
        with (folder / name).open("w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(rows)
    return folder


def clear(engine) -> None:
    with engine.begin() as connection:
        for table in reversed(SQLModel.metadata.sorted_tables):
            connection.execute(text(f'DELETE FROM "{table.name}"'))


def database_steps(engine, scenario: Scenario, periods: list[str], folder: Path) -> list[Step]:
    steps = []
    for step, period in enumerate(periods):
        load_directory(
            engine, write_ledger(scenario.ledger_at(step), folder / str(step)), actor="test"
        )
        try:
            run_period(engine, period, list(scenario.plans), "test")
        except ConfigurationError:
            steps.append(Step(period, True, [], {}, []))
            continue
        with Session(engine) as session:
            lines = session.execute(select(PayoutLine).where(PayoutLine.period == period)).scalars()
            rows = sorted(tuple(getattr(line, field) for field in LINE_FIELDS) for line in lines)
            unassigned: dict = {}
            for item in session.execute(
                select(UnassignedCredit).where(UnassignedCredit.period == period)
            ).scalars():
                key = (item.contract_id, item.plan_id, item.component_id, item.month)
                unassigned[key] = unassigned.get(key, Fraction(0)) + Fraction(item.amount_exact)
            warnings = session.execute(
                select(RunIssue.message).where(RunIssue.period == period).order_by(RunIssue.id)
            ).scalars()
            uncovered = uncovered_only(list(warnings))
        steps.append(
            Step(period, False, rows, {k: v for k, v in unassigned.items() if v}, uncovered)
        )
    return steps


def test_product_path_equals_reference(db_url, tmp_path_factory):
    engine = make_engine(db_url)
    upgrade_schema(engine)

    @DB_SETTINGS
    @given(cycles())
    def check(cycle):
        scenario, periods = cycle
        clear(engine)
        folder = tmp_path_factory.mktemp("ledger")
        try:
            ours = database_steps(engine, scenario, periods, folder)
        except UserError as error:  # the generator only makes valid ledgers
            raise AssertionError(f"load refused a valid scenario: {error}") from error
        assert_same_steps(ours, reference_steps(reference_cycle(scenario, periods)))

    try:
        check()
    finally:
        engine.dispose()
