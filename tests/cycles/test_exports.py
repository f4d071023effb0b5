"""Export batches: a locked period recorded once per key, identical on every pull."""

from __future__ import annotations

import hashlib
import json
import threading

import pytest
from sqlalchemy import select
from sqlmodel import Session

from compengine.cycles import exports
from compengine.cycles.exports import (
    checked_idempotency_key,
    export_period,
    export_rows,
    get_export,
    list_exports,
)
from compengine.errors import UserError
from compengine.storage.database import make_engine
from compengine.storage.locking import exclusive
from compengine.storage.models import AuditEvent, ExportBatch
from tests.conftest import table_snapshot
from tests.payroll_scenario import PERIOD_1_CSV, PERIOD_1_ROWS, build_payroll_periods


@pytest.fixture
def payroll_db(db_url, from_template):
    """compengine's own engine: on SQLite only its BEGIN IMMEDIATE takes the write lock."""
    from_template("payroll-periods", build_payroll_periods)
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


def _export(engine, period, key, actor="payroll-bot", **options):
    with exclusive(engine, wait=True) as session:
        return export_period(session, period, key, actor, **options)


def _audit(engine, action):
    with Session(engine) as session:
        query = select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        return list(session.execute(query).scalars())


def test_an_export_stores_its_rows_and_exact_bytes_with_their_sha256(payroll_db):
    result = _export(payroll_db, "2027-01", "run-2027-01")
    batch = result.batch
    assert result.created
    assert (batch.period, batch.actor, batch.reissue, batch.row_count) == (
        "2027-01",
        "payroll-bot",
        False,
        3,
    )
    assert batch.total_cents == 50_000 + 7_000 + 750
    assert batch.content == PERIOD_1_CSV
    assert batch.sha256 == hashlib.sha256(PERIOD_1_CSV.encode()).hexdigest()
    with Session(payroll_db) as session:
        stored = get_export(session, batch.id)
        rows = export_rows(session, batch.id)
    assert stored.content == PERIOD_1_CSV and stored.created_at.utcoffset() is not None
    assert [
        (r.seq, r.payee_id, r.name, r.email, r.earnings_code, r.amount_cents) for r in rows
    ] == [(seq, *row) for seq, row in enumerate(PERIOD_1_ROWS, start=1)]
    (event,) = _audit(payroll_db, "export")
    assert (event.actor, event.period) == ("payroll-bot", "2027-01")
    assert json.loads(event.after) == {
        "batch_id": batch.id,
        "idempotency_key": "run-2027-01",
        "rows": 3,
        "total": "577.50",
        "sha256": batch.sha256,
    }


def test_the_same_key_returns_the_same_batch_and_writes_nothing(payroll_db, db_url):
    first = _export(payroll_db, "2027-01", "k1")
    before = table_snapshot(db_url)
    again = _export(payroll_db, "2027-01", "k1", actor="someone-else", reissue=True)
    assert not again.created
    assert (again.batch.id, again.batch.sha256, again.batch.actor) == (
        first.batch.id,
        first.batch.sha256,
        "payroll-bot",
    )
    assert table_snapshot(db_url) == before


def test_a_key_used_for_another_period_is_refused(payroll_db, db_url):
    first = _export(payroll_db, "2027-01", "k1")
    before = table_snapshot(db_url)
    with pytest.raises(UserError) as raised:
        _export(payroll_db, "2027-02", "k1")
    assert str(raised.value) == (
        f"idempotency key 'k1' was used for batch {first.batch.id} of period 2027-01, "
        "not 2027-02; use a new key for another period"
    )
    assert table_snapshot(db_url) == before


def test_a_second_export_of_a_period_names_the_first_unless_reissued(payroll_db, db_url):
    first = _export(payroll_db, "2027-01", "k1").batch
    before = table_snapshot(db_url)
    with pytest.raises(UserError) as raised:
        _export(payroll_db, "2027-01", "k2", actor="other-bot")
    assert str(raised.value) == (
        f"period 2027-01 was already exported (batch {first.id}, created "
        f"{first.created_at.isoformat(timespec='seconds')} by payroll-bot); pull that batch "
        "again, or ask for a reissue to record a new one"
    )
    assert table_snapshot(db_url) == before

    second = _export(payroll_db, "2027-01", "k2", actor="other-bot", reissue=True)
    assert second.created and second.batch.reissue and second.batch.id != first.id
    assert second.batch.content == first.content and second.batch.sha256 == first.sha256
    (event,) = _audit(payroll_db, "export-reissue")
    assert (event.actor, event.reason, json.loads(event.before)) == (
        "other-bot",
        f"reissue of batch {first.id}",
        {"batch_id": first.id},
    )
    with Session(payroll_db) as session:
        assert [b.id for b in list_exports(session, "2027-01")] == [first.id, second.batch.id]
        assert list_exports(session, "2027-02") == []
        assert len(export_rows(session, second.batch.id)) == 3


@pytest.mark.parametrize("period", ["2027-03", "2027-09"])
def test_only_locked_periods_are_exported(payroll_db, db_url, period):
    before = table_snapshot(db_url)
    with pytest.raises(UserError, match=f"period {period} is .*: payroll pulls only locked"):
        _export(payroll_db, period, "k1")
    assert table_snapshot(db_url) == before


@pytest.mark.parametrize("key", ["", " k", "k ", "k\n", "k\x00", "schlüssel", "x" * 201, "\udcff"])
def test_hostile_keys_are_refused(key):
    with pytest.raises(UserError) as raised:
        checked_idempotency_key(key, "Idempotency-Key")
    assert str(raised.value).startswith("Idempotency-Key: ")
    assert "1 to 200 printable ASCII characters, no space at either end" in str(raised.value)


@pytest.mark.parametrize("key", ["k", "x" * 200, "2027-01 run #3", "a/b?c=d&e"])
def test_printable_keys_are_taken(key):
    assert checked_idempotency_key(key, "--key") == key


def test_two_concurrent_exports_with_one_key_make_one_batch(payroll_db):
    results, errors = [], []
    start = threading.Barrier(2)

    def export():
        start.wait()
        try:
            results.append(_export(payroll_db, "2027-01", "same-key"))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=export) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert sorted(r.created for r in results) == [False, True]
    assert len({r.batch.id for r in results}) == 1
    with Session(payroll_db) as session:
        assert len(list_exports(session)) == 1


def test_a_writer_that_loses_the_race_reads_the_winners_batch(payroll_db, monkeypatch):
    """Without the lock, both writers may see no batch for the key; the unique key then
    refuses the second insert, and the loser answers with the winner's batch."""
    winner = _export(payroll_db, "2027-01", "raced").batch
    real = exports._by_key
    calls = []

    def not_yet(session, key):
        calls.append(key)
        return None if len(calls) == 1 else real(session, key)

    monkeypatch.setattr(exports, "_by_key", not_yet)
    with Session(payroll_db) as session:
        monkeypatch.setattr(exports, "_latest_of", lambda session, period: None)
        loser = export_period(session, "2027-01", "raced", "late-bot")
        session.commit()
    assert not loser.created and loser.batch.id == winner.id
    with Session(payroll_db) as session:
        assert [b.id for b in session.execute(select(ExportBatch)).scalars()] == [winner.id]
