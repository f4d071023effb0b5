"""How problems are reported: all of them counted, the first 100 shown in file order."""

from __future__ import annotations

from tests.conftest import table_snapshot
from tests.ledger.conftest import write_csv


def test_a_file_bad_everywhere_shows_the_first_100_problems_and_counts_the_rest(
    initialized, db_url, worked_example
):
    bad_rows = "".join(f"x{n},acme,2027-01-{n % 28 + 1:02d},{n}.999,,\n" for n in range(150))
    write_csv(
        worked_example, "usage.csv", "entry_id,account_id,date,amount,product,quantity\n" + bad_rows
    )
    before = table_snapshot(db_url)

    result = initialized("load", worked_example)

    lines = result.err.splitlines()
    assert result.code == 1
    assert len(lines) == 101
    assert lines[0] == "usage.csv:2: amount: '0.999' has more than 2 decimal places"
    assert lines[99] == "usage.csv:101: amount: '99.999' has more than 2 decimal places"
    assert lines[100] == "... and 50 more problems"
    assert table_snapshot(db_url) == before


def test_problems_are_listed_in_load_order_of_the_files_then_by_line(initialized, worked_example):
    write_csv(
        worked_example,
        "usage.csv",
        """
        entry_id,account_id,date,amount
        u1,acme,2027-01-01,1.001
        u2,acme,someday,1.00
    """,
    )
    write_csv(
        worked_example,
        "payees.csv",
        """
        payee_id,name
        ae1,
        csm1,Carl Stone
    """,
    )

    result = initialized("load", worked_example)

    assert result.err.splitlines() == [
        "payees.csv:2: name: is required",
        "usage.csv:2: amount: '1.001' has more than 2 decimal places",
        "usage.csv:3: date: 'someday' is not a date (YYYY-MM-DD)",
    ]


def test_load_before_init_asks_for_init(cli, worked_example):
    result = cli("load", worked_example)

    assert result.code == 1
    assert len(result.err.splitlines()) == 1
    assert "run `compengine init`" in result.err


def test_a_folder_without_input_files_is_a_user_error(initialized, tmp_path):
    (tmp_path / "empty").mkdir()

    result = initialized("load", tmp_path / "empty")

    assert result.code == 1
    assert "no input files (expected any of payees.csv, accounts.csv" in result.err


def test_a_missing_folder_is_a_user_error(initialized, tmp_path):
    result = initialized("load", tmp_path / "nowhere")

    assert result.code == 1
    assert result.err.strip() == f"{tmp_path / 'nowhere'}: not a directory"


def test_an_empty_file_needs_its_header(initialized, worked_example):
    (worked_example / "usage.csv").write_text("")

    result = initialized("load", worked_example)

    assert result.code == 1
    assert result.err.splitlines() == ["usage.csv: is empty: a header row is required"]


def test_a_file_that_is_not_utf8_is_named(initialized, worked_example):
    (worked_example / "accounts.csv").write_bytes(
        "account_id,name\nacme,Acme Café\n".encode("latin-1")
    )

    result = initialized("load", worked_example)

    assert result.code == 1
    assert result.err.splitlines() == ["accounts.csv: is not UTF-8 text: save it as UTF-8"]
