"""Reading input files in chunks of text, each row with the line number a user sees."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from compengine.ledger.files import USAGE, FoundInput
from compengine.ledger.problems import ProblemLog
from compengine.ledger.readers import Chunking, InputReader
from tests.ledger.conftest import write_csv

TINY = Chunking(csv_block_bytes=40, parquet_rows=2)  # a chunk or two per row


def _read(path: Path) -> tuple[list[tuple[int, str, str]], list[str], bool]:
    """(line, entry_id, account_id) of every row, the problems, and whether all was read."""
    problems = ProblemLog()
    reader = InputReader(FoundInput(USAGE, path), problems)
    rows = [
        (int(line), entry, account)
        for chunk in reader.chunks(TINY)
        for line, entry, account in zip(
            chunk.lines,
            chunk.text["entry_id"].to_pylist(),
            chunk.text["account_id"].to_pylist(),
            strict=True,
        )
    ]
    return rows, [str(problem) for problem in problems.problems()], reader.readable


def test_lines_count_from_the_header_across_chunks_blank_lines_and_bad_rows(tmp_path):
    path = write_csv(
        tmp_path,
        "usage.csv",
        """
        entry_id,account_id,date,amount
        u1,acme,2027-01-01,1.00

        u2,"acme, inc",2027-01-02,2.00
        u3,acme,2027-01-03,3.00,extra
        u4,acme,2027-01-04,4.00

    """,
    )

    rows, problems, readable = _read(path)

    assert rows == [(2, "u1", "acme"), (4, "u2", "acme, inc"), (6, "u4", "acme")]
    assert problems == ["usage.csv:5: has 5 fields, the header has 4"]
    assert not readable


def test_an_excel_byte_order_mark_is_not_part_of_the_first_column(tmp_path):
    path = tmp_path / "usage.csv"
    path.write_bytes("\ufeffentry_id,account_id,date,amount\nu1,acme,2027-01-01,1.00\n".encode())

    assert _read(path) == ([(2, "u1", "acme")], [], True)


def test_columns_absent_from_the_file_read_as_empty(tmp_path):
    path = write_csv(
        tmp_path,
        "usage.csv",
        """
        amount,date,account_id,entry_id
        1.00,2027-01-01,a,u1
    """,
    )
    problems = ProblemLog()

    (chunk,) = InputReader(FoundInput(USAGE, path), problems).chunks(TINY)

    assert chunk.text["product"].to_pylist() == [""]
    assert chunk.text["entry_id"].to_pylist() == ["u1"]


def test_parquet_row_n_is_reported_as_line_n_plus_1(tmp_path):
    path = tmp_path / "usage.parquet"
    pq.write_table(
        pa.table(
            {
                "entry_id": ["u1", "u2", "u3"],
                "account_id": ["acme", None, "acme"],
                "date": pa.array([None] * 3, pa.date32()),
                "amount": pa.array(
                    [Decimal("1.50"), Decimal("2.00"), Decimal("-0.25")], pa.decimal128(9, 2)
                ),
                "quantity": pa.array([1, 2, 3], pa.int32()),
            }
        ),
        path,
    )
    problems = ProblemLog()

    chunks = list(InputReader(FoundInput(USAGE, path), problems).chunks(TINY))

    assert [list(chunk.lines) for chunk in chunks] == [[2, 3], [4]]
    assert chunks[0].text["account_id"].to_pylist() == ["acme", ""]
    assert chunks[0].text["amount"].to_pylist() == ["1.50", "2.00"]
    assert chunks[1].text["quantity"].to_pylist() == ["3"]
    assert problems.total == 0


def test_parquet_floats_are_refused_because_they_are_not_exact(tmp_path):
    path = tmp_path / "usage.parquet"
    pq.write_table(
        pa.table(
            {
                "entry_id": ["u1"],
                "account_id": ["acme"],
                "date": ["2027-01-01"],
                "amount": pa.array([0.1], pa.float64()),
            }
        ),
        path,
    )

    rows, problems, readable = _read(path)

    assert rows == []
    assert problems == [
        "usage.parquet:1: amount: holds binary floating-point numbers (double): "
        "write it as text or decimal"
    ]
    assert not readable
