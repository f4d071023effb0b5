"""Careless deliveries that load, and hostile ones that need a database already holding
rows: spec section 1, "Limits and hostile input"."""

from __future__ import annotations

import os

import pytest

from tests.conftest import table_snapshot
from tests.ledger.conftest import write_csv


def test_a_link_to_a_readable_file_is_loaded(initialized, worked_example, tmp_path):
    outside = tmp_path / "exports" / "usage-2027.csv"
    outside.parent.mkdir()
    (worked_example / "usage.csv").rename(outside)
    (worked_example / "usage.csv").symlink_to(outside)

    result = initialized("load", worked_example)

    assert result.code == 0, result.err
    assert "usage.csv" in result.out


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_an_unreadable_input_is_named(initialized, db_url, worked_example):
    (worked_example / "usage.csv").chmod(0)
    before = table_snapshot(db_url)

    result = initialized("load", worked_example)

    assert (result.code, result.err) == (1, "usage.csv: cannot be read (Permission denied)\n")
    assert table_snapshot(db_url) == before


def test_a_link_that_loops_is_named(initialized, db_url, worked_example):
    (worked_example / "usage.csv").unlink()
    (worked_example / "usage.csv").symlink_to(worked_example / "usage.csv")
    before = table_snapshot(db_url)

    result = initialized("load", worked_example)

    assert (result.code, result.err) == (
        1,
        "usage.csv: cannot be read (Too many levels of symbolic links)\n",
    )
    assert table_snapshot(db_url) == before


def test_files_with_other_names_are_ignored(initialized, worked_example):
    for name in ("notes.txt", "usage.csv.bak", ".~lock.usage.csv#", "usage.xlsx"):
        (worked_example / name).write_text("not an input\n")

    result = initialized("load", worked_example)

    assert result.code == 0, result.err


def test_header_only_files_load_nothing_and_say_so(initialized, db_url, tmp_path):
    write_csv(tmp_path, "usage.csv", "entry_id,account_id,date,amount\n")
    write_csv(tmp_path, "payees.csv", "\ufeffpayee_id,name\r\n\r\n\r\n")

    result = initialized("load", tmp_path)

    assert result.code == 0, result.err
    assert "Traceback" not in result.err


def test_a_manager_cycle_through_a_stored_payee_is_refused(initialized, db_url, tmp_path):
    write_csv(tmp_path / "first", "payees.csv", "payee_id,name,manager_id\nae1,Ada,\nmgr1,Mo,ae1\n")
    assert initialized("load", tmp_path / "first").code == 0
    write_csv(tmp_path / "second", "payees.csv", "payee_id,name,manager_id\nae1,Ada,mgr1\n")
    before = table_snapshot(db_url)

    result = initialized("load", tmp_path / "second", "--replace")

    assert (result.code, result.err) == (
        1,
        "payees.csv:2: manager_id: managers form a cycle: 'ae1' -> 'mgr1' -> 'ae1'\n",
    )
    assert table_snapshot(db_url) == before


def test_a_parent_chain_is_fine_until_it_closes(initialized, db_url, tmp_path):
    write_csv(
        tmp_path / "first",
        "accounts.csv",
        "account_id,name,parent_id\nholding,H,\nacme,A,holding\nacme-eu,AE,acme\n",
    )
    assert initialized("load", tmp_path / "first").code == 0
    write_csv(
        tmp_path / "second",
        "accounts.csv",
        "account_id,name,parent_id\nholding,H,acme-eu\nother,O,other\n",
    )
    before = table_snapshot(db_url)

    result = initialized("load", tmp_path / "second", "--replace")

    assert result.code == 1
    assert result.err.splitlines() == [
        "accounts.csv:2: parent_id: parents form a cycle: 'acme' -> 'holding' -> 'acme-eu' "
        "-> 'acme'",
        "accounts.csv:3: parent_id: account 'other' is its own parent",
    ]
    assert table_snapshot(db_url) == before


def test_a_long_cycle_names_its_first_ids_and_counts_them(initialized, db_url, tmp_path):
    rows = "".join(f"p{n:02d},P{n},p{(n + 1) % 12:02d}\n" for n in range(12))
    write_csv(tmp_path, "payees.csv", "payee_id,name,manager_id\n" + rows)

    result = initialized("load", tmp_path)

    assert (result.code, result.err) == (
        1,
        "payees.csv:2: manager_id: managers form a cycle: 'p00' -> 'p01' -> 'p02' -> 'p03' "
        "-> 'p04' -> 'p05' -> 'p06' -> 'p07' -> 'p08' -> 'p09' -> ... (12 payees in all)\n",
    )
