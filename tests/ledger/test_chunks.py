"""A file read in many chunks is checked as one: keys and lines across chunk borders."""

from __future__ import annotations

import pytest

from compengine.errors import UserError
from compengine.ledger import aggregate, load
from compengine.ledger.load import load_directory
from compengine.ledger.readers import Chunking
from compengine.storage.database import make_engine
from tests.ledger.conftest import assert_monthly_usage_matches_ledger, write_csv

TINY = Chunking(csv_block_bytes=64, parquet_rows=3)


def _usage(entries: list[str]) -> str:
    return "entry_id,account_id,date,amount,product\n" + "".join(
        f"{entry},acme,2027-0{n % 9 + 1}-1{n % 10},{n}.25,compute\n"
        for n, entry in enumerate(entries)
    )


@pytest.fixture
def engine(initialized, db_url):
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


def test_a_duplicate_in_a_later_chunk_names_the_first_line(engine, tmp_path):
    entries = [f"u{n}" for n in range(20)]
    entries[17] = "u2"
    write_csv(tmp_path, "accounts.csv", "account_id,name\nacme,Acme\n")
    write_csv(tmp_path, "usage.csv", _usage(entries))

    with pytest.raises(UserError) as refused:
        load_directory(engine, tmp_path, actor="test", chunking=TINY)

    assert [str(problem) for problem in refused.value.problems] == [
        "usage.csv:19: entry_id: usage entry entry_id 'u2' is also on line 4"
    ]


def test_many_chunks_load_every_row_once(engine, db_url, tmp_path):
    write_csv(tmp_path, "accounts.csv", "account_id,name\nacme,Acme\n")
    write_csv(tmp_path, "usage.csv", _usage([f"u{n}" for n in range(40)]))
    progress: list[tuple[str, float | None]] = []

    report = load_directory(
        engine,
        tmp_path,
        actor="test",
        chunking=TINY,
        progress=lambda what, done: progress.append((what, done)),
    )

    assert [(counts.source, counts.new) for counts in report.files] == [
        ("accounts.csv", 1),
        ("usage.csv", 40),
    ]
    assert ("reading usage.csv", 1.0) in progress
    assert progress[-2:] == [("checking", None), ("writing", None)]
    assert_monthly_usage_matches_ledger(db_url)


HANDING_OVER = Chunking(csv_block_bytes=64, parquet_rows=3, held_groups=2)


@pytest.fixture
def hand_overs(monkeypatch) -> list[int]:
    """How many times each load handed its monthly sums to the database."""
    counts: list[int] = []
    stage = aggregate.stage_monthly_totals

    def counted(connection, usage, totals):
        stage(connection, usage, totals)
        counts.append(totals.hand_overs)

    monkeypatch.setattr(load, "stage_monthly_totals", counted)
    return counts


def test_monthly_sums_handed_to_the_database_in_parts_still_follow_the_ledger(
    engine, db_url, tmp_path, hand_overs
):
    """With at most two groups held in memory, the sums of 40 entries over 9 months go
    to the database in many parts; a --replace load that moves half of them to other
    months then subtracts their stored amounts across those parts."""
    write_csv(tmp_path / "first", "accounts.csv", "account_id,name\nacme,Acme\n")
    write_csv(tmp_path / "first", "usage.csv", _usage([f"u{n}" for n in range(40)]))
    load_directory(engine, tmp_path / "first", actor="test", chunking=HANDING_OVER)
    assert_monthly_usage_matches_ledger(db_url)
    moved = _usage([f"u{n}" for n in range(20)]).replace("2027-0", "2028-0")
    write_csv(tmp_path / "second", "usage.csv", moved)

    load_directory(engine, tmp_path / "second", actor="test", replace=True, chunking=HANDING_OVER)

    assert_monthly_usage_matches_ledger(db_url)
    assert min(hand_overs) > 1


def test_a_month_beyond_13_digits_is_found_when_its_parts_were_handed_over_apart(
    engine, db_url, tmp_path, hand_overs
):
    entries = "".join(f"big{n},acme,2027-03-20,9999999999999.99,compute\n" for n in range(3))
    write_csv(tmp_path, "accounts.csv", "account_id,name\nacme,Acme\n")
    write_csv(tmp_path, "usage.csv", "entry_id,account_id,date,amount,product\n" + entries)

    with pytest.raises(UserError) as refused:
        load_directory(engine, tmp_path, actor="test", chunking=HANDING_OVER)

    assert [str(problem) for problem in refused.value.problems] == [
        "usage.csv:2: amount: account 'acme', product 'compute', month 2027-03: the month's "
        "usage would total 29,999,999,999,999.97, more than 13 digits before the point"
    ]
    assert hand_overs == [2]
