"""The bridge read from a database (CSV files, `load`, the stored monthly aggregate and the
end-month query) equals the bridge of the same ledger in memory, on SQLite and PostgreSQL,
and so the Fraction restatement the property tests hold that one to."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session

from compengine.analytics.bridge import GroupBy, compute_bridge
from compengine.analytics.figures import record
from compengine.analytics.report import bridge_report
from compengine.ledger.load import load_directory
from compengine.months import format_period, month_of
from compengine.storage.database import make_engine, upgrade_schema
from tests.analytics.bridge_reference import reference_groups
from tests.cycles.test_matches_reference_on_database import clear, write_ledger
from tests.results.test_engine_matches_reference import snapshot_of
from tests.strategies import scenarios

DB_SETTINGS = settings(
    max_examples=max(4, settings.default.max_examples // 20),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    deadline=None,
)


def test_bridge_from_the_database_equals_the_bridge_in_memory(db_url, tmp_path_factory):
    engine = make_engine(db_url)
    upgrade_schema(engine)

    @DB_SETTINGS
    @given(scenario=scenarios(), back=st.integers(1, 9))
    def check(scenario, back):
        clear(engine)
        load_directory(engine, write_ledger(scenario, tmp_path_factory.mktemp("ledger")), actor="t")
        q = max(month_of(e.date) for e in scenario.usage)
        p = q - back
        plans = list(scenario.plans)
        with Session(engine) as session:
            report = bridge_report(
                session, format_period(p), format_period(q), plans, by=GroupBy.account
            )
        memory = compute_bridge(snapshot_of(scenario), plans, p, q, by=GroupBy.account)
        expected = [record(g, f) for g, f in [*memory.groups.items(), ("total", memory.total)]]
        assert report.rows == expected
        assert set(memory.groups) == set(reference_groups(scenario, p, q, "account"))

    try:
        check()
    finally:
        engine.dispose()
