"""Loading the spec's worked example (section 7) and the bundled sample, twice."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import select

from compengine.storage.models import (
    Assignment,
    AuditEvent,
    Contract,
    LoadBatch,
    MonthlyUsage,
    Payee,
    UsageEntry,
)
from tests.ledger.conftest import SAMPLE, rows

JANUARY_2027 = 2027 * 12


def test_worked_example_is_stored_in_the_ledger_tables(initialized, db_url, worked_example):
    result = initialized("load", worked_example)

    assert result.code == 0, result.err
    assert "14 new, 0 replaced, 0 unchanged rows" in result.out
    assert rows(
        db_url,
        select(
            Contract.contract_id,
            Contract.account_id,
            Contract.signed_on,
            Contract.commit_monthly_cents,
            Contract.products,
        ),
    ) == [
        ("k1", "acme", date(2027, 1, 10), 1_000_000, ""),
    ]
    assert rows(
        db_url,
        select(
            Assignment.payee_id, Assignment.role, Assignment.start, Assignment.end, Assignment.split
        ).order_by(Assignment.payee_id),
    ) == [
        ("ae1", "AE", date(2027, 1, 1), date(2027, 12, 31), "1"),
        ("csm1", "CSM", date(2027, 7, 1), None, "1"),
    ]
    assert rows(
        db_url,
        select(
            UsageEntry.entry_date,
            UsageEntry.amount_cents,
            UsageEntry.product,
            UsageEntry.quantity,
            UsageEntry.load_id,
        ).where(UsageEntry.entry_id == "u2027-04"),
    ) == [
        (date(2027, 4, 15), 900_000, "", None, 1),
    ]
    assert rows(
        db_url, select(Payee.name, Payee.email, Payee.manager_id).where(Payee.payee_id == "ae1")
    ) == [("Ada Evans", "ada.evans@example.com", None)]


def test_monthly_usage_holds_the_table_of_the_worked_example(initialized, db_url, worked_example):
    initialized("load", worked_example)

    assert rows(
        db_url,
        select(MonthlyUsage.month, MonthlyUsage.amount_cents, MonthlyUsage.entries)
        .where(MonthlyUsage.account_id == "acme", MonthlyUsage.product == "")
        .order_by(MonthlyUsage.month),
    ) == [
        (JANUARY_2027 + m, dollars * 100, 1)
        for m, dollars in enumerate([2_000, 4_000, 6_000, 9_000, 10_000, 11_000, 10_500, 13_000])
    ]


def test_loading_the_worked_example_again_changes_nothing_and_says_so(
    initialized, db_url, worked_example
):
    initialized("load", worked_example)
    usage_before = rows(db_url, select(UsageEntry).order_by(UsageEntry.entry_id))

    again = initialized("load", worked_example)

    assert again.code == 0, again.err
    assert "load batch 2: nothing changed, all 14 rows are stored already" in again.out
    assert rows(db_url, select(UsageEntry).order_by(UsageEntry.entry_id)) == usage_before
    batches = rows(
        db_url,
        select(LoadBatch.id, LoadBatch.summary, LoadBatch.content_hash).order_by(LoadBatch.id),
    )
    assert [batch[0] for batch in batches] == [1, 2]
    assert batches[0][2] == batches[1][2]  # the same files: the same content hash
    assert json.loads(batches[1][1])["usage.csv"] == {
        "rows": 8,
        "new": 0,
        "unchanged": 8,
        "replaced": 0,
    }
    assert rows(db_url, select(AuditEvent.action).order_by(AuditEvent.id)) == [("load",), ("load",)]


def test_every_load_records_its_batch_and_actor(initialized, db_url, worked_example):
    result = initialized("--user", "ops-alice", "load", worked_example)

    assert result.code == 0, result.err
    ((actor, source, replace, files),) = rows(
        db_url, select(LoadBatch.actor, LoadBatch.source, LoadBatch.replace, LoadBatch.files)
    )
    assert (actor, source, replace) == ("ops-alice", str(worked_example.resolve()), False)
    assert json.loads(files)["contracts.csv"]["rows"] == 1
    assert rows(db_url, select(AuditEvent.actor, AuditEvent.action)) == [("ops-alice", "load")]


def test_sample_loads_twice_and_then_takes_the_late_correction(initialized, db_url):
    first = initialized("load", SAMPLE)
    again = initialized("load", SAMPLE)
    late = initialized("load", SAMPLE / "late")

    assert (first.code, again.code, late.code) == (0, 0, 0), first.err + again.err + late.err
    assert "nothing changed" in again.out
    assert "1 new, 0 replaced, 0 unchanged rows" in late.out
    assert rows(
        db_url,
        select(MonthlyUsage.amount_cents, MonthlyUsage.entries).where(
            MonthlyUsage.account_id == "globex",
            MonthlyUsage.product == "compute",
            MonthlyUsage.month == JANUARY_2027 + 1,
        ),
    ) == [(900_000 - 185_000, 3)]
