"""Parquet input: the same base names and columns as the CSV files, the same result."""

from __future__ import annotations

import pyarrow.csv as pcsv
import pyarrow.parquet as pq
from sqlalchemy import select

from compengine.storage.models import Assignment, Contract, MonthlyUsage, UsageEntry
from tests.ledger.conftest import INPUT_NAMES, rows

LEDGER = [
    select(Contract).order_by(Contract.contract_id),
    select(Assignment).order_by(Assignment.payee_id),
    select(UsageEntry).order_by(UsageEntry.entry_id),
    select(MonthlyUsage).order_by(MonthlyUsage.month),
]


def _as_parquet(csv_folder, parquet_folder) -> None:
    """Each CSV as a Parquet file of text columns."""
    parquet_folder.mkdir()
    for name in INPUT_NAMES:
        header = (csv_folder / f"{name}.csv").read_text().splitlines()[0].split(",")
        table = pcsv.read_csv(
            csv_folder / f"{name}.csv",
            convert_options=pcsv.ConvertOptions(
                column_types=dict.fromkeys(header, "string"), strings_can_be_null=True
            ),
        )
        pq.write_table(table, parquet_folder / f"{name}.parquet")


def test_the_worked_example_as_parquet_is_stored_like_the_csv(
    initialized, db_url, worked_example, tmp_path
):
    initialized("load", worked_example)
    from_csv = [rows(db_url, query) for query in LEDGER]
    _as_parquet(worked_example, tmp_path / "parquet")

    again = initialized("load", tmp_path / "parquet")

    assert again.code == 0, again.err
    assert "nothing changed, all 14 rows are stored already" in again.out
    assert [rows(db_url, query) for query in LEDGER] == from_csv


def test_a_file_given_both_as_csv_and_parquet_is_refused(initialized, worked_example, tmp_path):
    _as_parquet(worked_example, tmp_path / "parquet")
    (tmp_path / "parquet" / "usage.parquet").rename(worked_example / "usage.parquet")

    result = initialized("load", worked_example)

    assert result.code == 1
    assert result.err.splitlines() == [
        "usage.csv: both usage.csv and usage.parquet are present: keep one"
    ]
