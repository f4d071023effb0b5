"""`load --replace`: re-delivered rows with new content win, and each change is audited."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import select

from compengine.storage.models import (
    AUDIT_ACTIONS,
    AuditEvent,
    Contract,
    LoadBatch,
    MonthlyUsage,
    UsageEntry,
)
from tests.ledger.conftest import assert_monthly_usage_matches_ledger, edit, rows

APRIL_2027 = 2027 * 12 + 3


def test_replace_stores_the_new_content_and_audits_each_changed_row(
    initialized, db_url, worked_example
):
    initialized("load", worked_example)
    edit(worked_example / "usage.csv", "2027-01-15,2000.00", "2027-01-15,2100.00")
    edit(worked_example / "payees.csv", "csm1,Carl Stone,", "csm1,Carl Stone-Ortiz,")

    result = initialized("--user", "ops-alice", "load", worked_example, "--replace")

    assert result.code == 0, result.err
    assert "load batch 2: 0 new, 2 replaced, 12 unchanged rows" in result.out
    assert rows(
        db_url,
        select(UsageEntry.amount_cents, UsageEntry.load_id).where(
            UsageEntry.entry_id == "u2027-01"
        ),
    ) == [(210_000, 2)]
    events = rows(
        db_url,
        select(
            AuditEvent.actor,
            AuditEvent.action,
            AuditEvent.payee_id,
            AuditEvent.reason,
            AuditEvent.before,
            AuditEvent.after,
        )
        .where(AuditEvent.action == "replace")
        .order_by(AuditEvent.id),
    )
    payee, usage = events
    assert payee[:4] == (
        "ops-alice",
        "replace",
        "csm1",
        "load batch 2: payees.csv line 3 replaces payee payee_id 'csm1'",
    )
    assert (json.loads(payee[4])["name"], json.loads(payee[5])["name"]) == (
        "Carl Stone",
        "Carl Stone-Ortiz",
    )
    assert json.loads(usage[4]) == {
        "entry_id": "u2027-01",
        "account_id": "acme",
        "date": "2027-01-15",
        "amount": "2000.00",
        "product": "",
        "quantity": None,
    }
    assert json.loads(usage[5])["amount"] == "2100.00"
    assert rows(db_url, select(LoadBatch.replace).order_by(LoadBatch.id)) == [(False,), (True,)]
    logged = initialized("audit", "--action", "replace", "--format", "json")
    assert [event["payee"] for event in json.loads(logged.out)] == ["csm1", None]
    # the ledger writes its events itself, below cycles.audit's check: they are known too
    actions = {action for (action,) in rows(db_url, select(AuditEvent.action))}
    assert actions == {"load", "replace"} and actions <= set(AUDIT_ACTIONS)


def test_replacing_a_usage_row_moves_its_amount_in_monthly_usage(
    initialized, db_url, worked_example
):
    initialized("load", worked_example)
    edit(worked_example / "accounts.csv", "\n", "\nacme-eu,Acme Europe,acme,enterprise,emea\n")
    edit(
        worked_example / "usage.csv",
        "u2027-03,acme,2027-03-15,6000.00,,",
        "u2027-03,acme-eu,2027-04-02,6000.00,compute,",
    )

    result = initialized("load", worked_example, "--replace")

    assert result.code == 0, result.err
    march = APRIL_2027 - 1
    assert rows(
        db_url,
        select(
            MonthlyUsage.account_id,
            MonthlyUsage.product,
            MonthlyUsage.month,
            MonthlyUsage.amount_cents,
            MonthlyUsage.entries,
        )
        .where(MonthlyUsage.month.in_([march, APRIL_2027]))
        .order_by(MonthlyUsage.account_id),
    ) == [
        ("acme", "", APRIL_2027, 900_000, 1),
        ("acme-eu", "compute", APRIL_2027, 600_000, 1),
    ]
    assert_monthly_usage_matches_ledger(db_url)


def test_a_replaced_contract_counts_with_its_new_scope(initialized, db_url, worked_example):
    initialized("load", worked_example)
    edit(
        worked_example / "contracts.csv",
        "10000.00,\n",
        "10000.00,compute\nk2,acme,2027-03-01,2500.00,storage\n",
    )

    result = initialized("load", worked_example, "--replace")

    assert result.code == 0, result.err
    assert rows(
        db_url, select(Contract.contract_id, Contract.products).order_by(Contract.contract_id)
    ) == [("k1", "compute"), ("k2", "storage")]


def test_replace_with_nothing_changed_writes_no_replace_event(initialized, db_url, worked_example):
    initialized("load", worked_example)

    result = initialized("load", worked_example, "--replace")

    assert result.code == 0, result.err
    assert "nothing changed" in result.out
    assert rows(db_url, select(AuditEvent.action)) == [("load",), ("load",)]
    assert rows(db_url, select(UsageEntry.entry_date).where(UsageEntry.entry_id == "u2027-01")) == [
        (date(2027, 1, 15),)
    ]
