"""contracts.csv `ends_on` (spec section 1): a contract covers its scope from the first day
of its signing month through ends_on; contracts of one account may not cover one entry
alike, and a renewal or win-back starts in a month after the earlier one's end."""

from __future__ import annotations

from datetime import date

import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy import select

from compengine.storage.models import Contract
from tests.conftest import table_snapshot
from tests.ledger.conftest import rows, write_csv

ACCOUNTS = """
    account_id,name
    acme,Acme Corp
    beta,Beta Inc
"""
HEADER = "contract_id,account_id,signed_on,commit_monthly,products,ends_on\n"


def delivery(tmp_path, name: str, contracts: str, accounts: bool = True):
    folder = tmp_path / name
    if accounts:
        write_csv(folder, "accounts.csv", ACCOUNTS)
    write_csv(folder, "contracts.csv", HEADER + contracts)
    return folder


def stored_contracts(db_url: str) -> list[tuple]:
    return rows(
        db_url,
        select(Contract.contract_id, Contract.signed_on, Contract.ends_on).order_by(
            Contract.contract_id
        ),
    )


def test_a_renewal_and_a_win_back_load_with_their_ends(initialized, db_url, tmp_path):
    folder = delivery(
        tmp_path,
        "first",
        "k1,acme,2027-01-10,1000.00,,2027-06-30\n"
        "k2,acme,2027-07-01,1200.00,,2027-09-15\n"
        "k3,acme,2027-12-05,900.00,,\n"
        "k4,beta,2027-02-01,500.00,compute,2027-02-01\n",
    )
    result = initialized("load", folder)
    assert result.code == 0, result.err
    assert stored_contracts(db_url) == [
        ("k1", date(2027, 1, 10), date(2027, 6, 30)),
        ("k2", date(2027, 7, 1), date(2027, 9, 15)),
        ("k3", date(2027, 12, 5), None),
        ("k4", date(2027, 2, 1), date(2027, 2, 1)),
    ]


def test_ending_a_stored_contract_and_renewing_it_in_one_delivery(initialized, db_url, tmp_path):
    assert initialized("load", delivery(tmp_path, "a", "k1,acme,2027-01-10,1000.00,,\n")).code == 0
    renewal = delivery(
        tmp_path,
        "b",
        "k1,acme,2027-01-10,1000.00,,2027-03-31\nk2,acme,2027-04-01,1000.00,,\n",
        accounts=False,
    )
    refused = initialized("load", renewal)
    assert refused.code == 1
    assert "contracts.csv:2: ends_on: contract contract_id 'k1' is already stored" in refused.err
    result = initialized("load", renewal, "--replace")
    assert result.code == 0, result.err
    assert stored_contracts(db_url) == [
        ("k1", date(2027, 1, 10), date(2027, 3, 31)),
        ("k2", date(2027, 4, 1), None),
    ]


def refused(cli, db_url, folder) -> str:
    before = table_snapshot(db_url)
    result = cli("load", folder)
    assert result.code == 1
    assert "Traceback" not in result.err
    assert table_snapshot(db_url) == before
    return result.err


def test_an_end_before_the_signing_date_is_refused(initialized, db_url, tmp_path):
    folder = delivery(tmp_path, "bad", "k1,acme,2027-01-10,1000.00,,2027-01-09\n")
    assert refused(initialized, db_url, folder).splitlines() == [
        "contracts.csv:2: ends_on: '2027-01-09' is before signed_on '2027-01-10'"
    ]


def test_a_malformed_end_is_refused(initialized, db_url, tmp_path):
    folder = delivery(tmp_path, "bad", "k1,acme,2027-01-10,1000.00,,2027-02-30\n")
    assert refused(initialized, db_url, folder).splitlines() == [
        "contracts.csv:2: ends_on: '2027-02-30' is not a date (YYYY-MM-DD)"
    ]


def test_a_renewal_signed_in_the_month_the_earlier_one_ends_is_refused(
    initialized, db_url, tmp_path
):
    """k1 covers through 2027-06-15; k2 is signed on 2027-06-20, so it covers from 2027-06-01:
    entries of 2027-06-01..15 would belong to both."""
    folder = delivery(
        tmp_path,
        "bad",
        "k1,acme,2027-01-10,1000.00,,2027-06-15\nk2,acme,2027-06-20,1000.00,,\n",
    )
    assert refused(initialized, db_url, folder).splitlines() == [
        "contracts.csv:3: products: contract 'k2' overlaps contract 'k1' (line 2) "
        "on account 'acme': both cover all products from 2027-06-01 through 2027-06-15"
    ]


def test_overlap_with_a_stored_contract_names_both_and_the_common_dates(
    initialized, db_url, tmp_path
):
    stored = "k1,acme,2027-01-10,1000.00,compute;storage,2027-12-31\n"
    assert initialized("load", delivery(tmp_path, "a", stored)).code == 0
    folder = delivery(
        tmp_path, "b", "k2,acme,2027-03-01,500.00,storage,2027-04-30\n", accounts=False
    )
    assert refused(initialized, db_url, folder).splitlines() == [
        "contracts.csv:2: products: contract 'k2' overlaps contract 'k1' (stored) "
        "on account 'acme': both cover 'storage' from 2027-03-01 through 2027-04-30"
    ]


def test_other_products_or_other_dates_do_not_overlap(initialized, db_url, tmp_path):
    folder = delivery(
        tmp_path,
        "ok",
        "k1,acme,2027-01-10,1000.00,compute,\n"
        "k2,acme,2027-01-10,1000.00,storage,2027-05-31\n"
        "k3,acme,2027-06-01,1000.00,storage;ai,\n"
        "k4,beta,2027-01-10,1000.00,,\n",
    )
    result = initialized("load", folder)
    assert result.code == 0, result.err


def test_ends_on_as_a_parquet_date_column_with_nulls(initialized, db_url, tmp_path):
    folder = delivery(tmp_path, "parquet", "")
    (folder / "contracts.csv").unlink()
    table = pa.table(
        {
            "contract_id": ["k1", "k2"],
            "account_id": ["acme", "acme"],
            "signed_on": pa.array([date(2027, 1, 10), date(2027, 4, 1)], pa.date32()),
            "commit_monthly": ["1000.00", "1000.00"],
            "ends_on": pa.array([date(2027, 3, 31), None], pa.date32()),
        }
    )
    pq.write_table(table, folder / "contracts.parquet")
    result = initialized("load", folder)
    assert result.code == 0, result.err
    assert stored_contracts(db_url) == [
        ("k1", date(2027, 1, 10), date(2027, 3, 31)),
        ("k2", date(2027, 4, 1), None),
    ]
