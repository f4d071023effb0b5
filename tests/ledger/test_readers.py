"""Reading input files in chunks of text, each row with the line number a user sees."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from compengine.ledger.files import USAGE, FoundInput
from compengine.ledger.problems import ProblemLog
from compengine.ledger.readers import Chunking, InputReader
from tests.ledger.conftest import write_csv

TINY = Chunking(csv_block_bytes=40, parquet_rows=2)  # a chunk or two per row


def _read(
    path: Path, chunking: Chunking = TINY
) -> tuple[list[tuple[int, str, str]], list[str], bool]:
    """(line, entry_id, account_id) of every row, the problems, and whether all was read."""
    problems = ProblemLog()
    reader = InputReader(FoundInput(USAGE, path), problems)
    rows = [
        (int(line), entry, account)
        for chunk in reader.chunks(chunking)
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


@pytest.mark.parametrize("block_bytes", [48, 64, 100, 1 << 20])
def test_lines_are_physical_after_values_spanning_lines_across_chunks(tmp_path, block_bytes):
    path = tmp_path / "usage.csv"
    path.write_bytes(
        b"entry_id,account_id,date,amount,quantity\n"
        b'u1,acme,2027-01-01,1.00,"two\nlines"\n'  # lines 2-3
        b'u2,acme,2027-01-02,2.00,"\r\n\r\n"\n'  # lines 4-6
        b'u3,acme,2027-01-03,3.00,1,"x\ny"\n'  # lines 7-8: one field too many
        b"u4,acme,2027-01-04,4.00,\r"  # line 9, a lone CR ends it
        b'u5,"ac\nme",2027-01-05,5.00,\n'  # lines 10-11
        b"\n"  # line 12, blank
        b"u6,acme,2027-01-06,6.00,,\n"  # line 13: one field too many
        b"u7,acme,2027-01-07,7.00,\n"  # line 14
    )

    rows, problems, readable = _read(path, Chunking(csv_block_bytes=block_bytes))

    assert [(line, entry) for line, entry, _account in rows] == [
        (2, "u1"),
        (4, "u2"),
        (9, "u4"),
        (10, "u5"),
        (14, "u7"),
    ]
    assert problems == [
        "usage.csv:7: has 6 fields, the header has 5",
        "usage.csv:13: has 6 fields, the header has 5",
    ]
    assert not readable


def test_a_quote_left_open_in_a_large_file_is_named_without_quoting_the_file(tmp_path):
    path = tmp_path / "usage.csv"
    path.write_text(
        "entry_id,account_id,date,amount\n"
        'u1,"acme,2027-01-01,1.00\n' + "".join(f"u{n},acme,2027-01-01,1.00\n" for n in range(9))
    )

    _rows, problems, readable = _read(path)

    assert problems == [
        'usage.csv: has a row too long to read: is a quote (") left open? '
        "A quoted value runs on, across lines, to the next quote"
    ]
    assert not readable


def test_parquet_columns_of_the_wrong_type_are_named(tmp_path):
    path = tmp_path / "usage.parquet"
    pq.write_table(
        pa.table(
            {
                "entry_id": pa.array([True]),
                "account_id": pa.array(["acme"]),
                "date": pa.array([0], pa.timestamp("s")),
                "amount": pa.array([1.5], pa.float32()),
            }
        ),
        path,
    )

    assert _read(path) == (
        [],
        [
            "usage.parquet:1: amount: holds binary floating-point numbers (float): "
            "write it as text or decimal",
            "usage.parquet:1: date: has type timestamp[ms]; use text, integer, decimal or "
            "date columns",
            "usage.parquet:1: entry_id: has type bool; use text, integer, decimal or date columns",
        ],
        False,
    )


def test_parquet_dictionary_columns_read_as_their_values(tmp_path):
    """pandas writes a categorical column as a dictionary of its values."""
    path = tmp_path / "usage.parquet"
    pq.write_table(
        pa.table(
            {
                "entry_id": pa.array(["u1", "u2"]),
                "account_id": pa.array(["acme", "acme"]).dictionary_encode(),
                "date": pa.array(["2027-01-01", "2027-01-02"]),
                "amount": pa.array(["1.00", "2.00"]),
            }
        ),
        path,
    )

    assert _read(path) == ([(2, "u1", "acme"), (3, "u2", "acme")], [], True)
