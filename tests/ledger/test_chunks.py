"""A file read in many chunks is checked as one: keys and lines across chunk borders."""

from __future__ import annotations

import pytest

from compengine.errors import UserError
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
