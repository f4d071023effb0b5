"""Reading an input file in chunks of text columns, with the line number of every row.

CSV goes through pyarrow's streaming CSV reader and Parquet through
``ParquetFile.iter_batches``; both yield every column as text, so that no value
passes through a binary float. Line numbers follow the file: the header is line 1,
the first data row line 2, and a CSV row is numbered by the physical line it starts
on, even when a quoted value above it spans several lines (see lines.py). Parquet has
no lines: row n (1-based) is reported as line n + 1, as if it had a header.
Blank rows (every field empty) are skipped.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv
import pyarrow.parquet as pq

from compengine.errors import Problem
from compengine.ledger.convert import shown_cell
from compengine.ledger.files import FoundInput, InputFile
from compengine.ledger.lines import PhysicalLines, breaks_in, breaks_per_row
from compengine.ledger.problems import ProblemLog

Progress = Callable[[float], None]  # fraction of the file read so far


@dataclass(frozen=True)
class Chunking:
    """How much of a file is held at once (tests use tiny chunks to cross boundaries)."""

    csv_block_bytes: int = 4 << 20
    parquet_rows: int = 250_000
    held_groups: int = 1 << 20  # monthly usage sums kept in memory before they go to the database


@dataclass(frozen=True)
class Chunk:
    text: dict[str, pa.Array]  # every column of the file spec; absent optional ones as ''
    lines: np.ndarray  # int64 line number of each row

    def __len__(self) -> int:
        return len(self.lines)


class InputReader:
    """Reads one input file; `readable` is False once its rows cannot all be read."""

    def __init__(self, found: FoundInput, problems: ProblemLog):
        self.found = found
        self.problems = problems
        self.readable = True
        try:
            self.header = self._header()
        except (pa.ArrowException, UnicodeDecodeError, csv.Error, OSError) as error:
            self._unreadable(error)
            return
        if self.header is None:
            self.readable = False
            self._report(None, None, "is empty: a header row is required", "read")
        else:
            self.readable = self._check_header() and self._check_types()

    def chunks(self, chunking: Chunking, progress: Progress | None = None) -> Iterator[Chunk]:
        """The rows as text chunks, nothing when the file is not readable."""
        if not self.readable:
            return
        read = self._parquet_chunks if self._is_parquet else self._csv_chunks
        try:
            yield from read(chunking, progress or (lambda _done: None))
        except (pa.ArrowException, UnicodeDecodeError, OSError) as error:
            self._unreadable(error)

    @property
    def _is_parquet(self) -> bool:
        return self.found.path.suffix == ".parquet"

    def _report(self, line: int | None, field: str | None, message: str, check: str) -> None:
        self.problems.add(Problem(self.found.source, line, field, message), check)

    def _unreadable(self, error: Exception) -> None:
        """Says why the file cannot be read, never quoting it: DIR may hold a link to a
        file that is not an input (a reader's message can carry a line of it)."""
        self.readable = False
        message = str(error)
        if isinstance(error, UnicodeDecodeError) or "invalid UTF8" in message:
            why = "is not UTF-8 text: save it as UTF-8"
        elif "straddl" in message:
            why = (
                'has a row too long to read: is a quote (") left open? '
                "A quoted value runs on, across lines, to the next quote"
            )
        elif isinstance(error, csv.Error):  # its messages never quote the file
            why = f"cannot be read: {message}"
        elif isinstance(error, OSError) and error.strerror:
            why = f"cannot be read ({error.strerror})"
        elif self._is_parquet:
            why = "cannot be read as a Parquet file"
        else:
            why = "cannot be read as a CSV file"
        self._report(None, None, why, "read")

    def _header(self) -> list[str] | None:
        if self._is_parquet:
            return pq.ParquetFile(self.found.path).schema_arrow.names
        with self.found.path.open(encoding="utf-8-sig", newline="") as handle:
            return next(csv.reader(handle), None)

    def _check_header(self) -> bool:
        """Reports duplicate, unknown and missing columns; False when rows cannot be read."""
        spec = self.found.spec
        expected = ", ".join(spec.column_names)
        if not set(self.header) & set(spec.column_names):
            # Not echoed: this may be some other file (a link to /etc/shadow ...).
            self._report(1, None, f"the header names none of the columns ({expected})", "header")
            return False
        seen: set[str] = set()
        for name in self.header:
            if name in seen:
                self._report(1, _as_field(name), "column appears twice", "header")
            elif name not in spec.column_names:
                self._report(
                    1,
                    _as_field(name),
                    f"unknown column {shown_cell(name)} (the columns are: {expected})",
                    "header",
                )
            seen.add(name)
        missing = [
            column.name for column in spec.columns if column.required and column.name not in seen
        ]
        for name in missing:
            self._report(1, name, "required column is missing", "header")
        return not missing and len(seen) == len(self.header)

    def _check_types(self) -> bool:
        """Parquet columns must hold exact values: no binary floats."""
        if not self._is_parquet:
            return True
        schema = pq.ParquetFile(self.found.path).schema_arrow
        usable = True
        for name in self._known_columns:
            reason = _unusable_type(schema.field(name).type)
            if reason:
                self._report(1, name, reason, "header")
                usable = False
        return usable

    @property
    def _known_columns(self) -> list[str]:
        return [name for name in self.header if name in self.found.spec.column_names]

    def _csv_chunks(self, chunking: Chunking, progress: Progress) -> Iterator[Chunk]:
        lines: PhysicalLines[tuple[int, int]] = PhysicalLines(
            sum(breaks_in(name) for name in self.header)
        )

        def wrong_width(row: pcsv.InvalidRow) -> str:
            widths = (row.actual_columns, row.expected_columns)
            lines.skip(row.number, breaks_in(row.text or ""), widths)
            self.readable = False
            return "skip"

        size = max(self.found.path.stat().st_size, 1)
        with pa.OSFile(str(self.found.path)) as handle:
            reader = pcsv.open_csv(
                handle,
                # One thread keeps row numbers known to the invalid-row handler.
                read_options=pcsv.ReadOptions(
                    block_size=chunking.csv_block_bytes, use_threads=False
                ),
                parse_options=pcsv.ParseOptions(
                    newlines_in_values=True,
                    ignore_empty_lines=False,
                    invalid_row_handler=wrong_width,
                ),
                convert_options=pcsv.ConvertOptions(
                    column_types=dict.fromkeys(self.header, pa.string()),
                    strings_can_be_null=False,
                ),
            )
            rows_before = 0
            for batch in reader:
                positions = np.arange(rows_before, rows_before + batch.num_rows, dtype=np.int64)
                rows_before += batch.num_rows
                breaks = breaks_per_row(batch.columns, batch.num_rows)
                physical, skipped = lines.place(positions, breaks)
                self._report_widths(skipped)
                chunk = _chunk(self.found.spec, batch, physical)
                progress(min(handle.tell() / size, 1.0))
                if len(chunk):
                    yield chunk
            no_rows = np.zeros(0, dtype=np.int64)
            self._report_widths(lines.place(no_rows, no_rows, last=True)[1])

    def _report_widths(self, skipped: list[tuple[int, tuple[int, int]]]) -> None:
        for line, (actual, expected) in skipped:
            self._report(line, None, f"has {actual} fields, the header has {expected}", "width")

    def _parquet_chunks(self, chunking: Chunking, progress: Progress) -> Iterator[Chunk]:
        parquet = pq.ParquetFile(self.found.path)
        total = max(parquet.metadata.num_rows, 1)
        rows_before = 0
        for batch in parquet.iter_batches(
            batch_size=chunking.parquet_rows, columns=self._known_columns
        ):
            lines = np.arange(rows_before + 2, rows_before + 2 + batch.num_rows, dtype=np.int64)
            rows_before += batch.num_rows
            chunk = _chunk(self.found.spec, _as_text(batch), lines)
            progress(rows_before / total)
            if len(chunk):
                yield chunk


def _as_field(name: str) -> str:
    """A column name to locate a problem by: as it is when short and printable."""
    return name if name.isprintable() and len(name) <= 40 else shown_cell(name)


def _unusable_type(kind: pa.DataType) -> str | None:
    """Why a Parquet column cannot be read as exact text, if it cannot."""
    if pa.types.is_dictionary(kind):  # pandas' categoricals
        return _unusable_type(kind.value_type)
    if pa.types.is_floating(kind):
        return f"holds binary floating-point numbers ({kind}): write it as text or decimal"
    exact = (
        pa.types.is_string(kind)
        or pa.types.is_large_string(kind)
        or pa.types.is_integer(kind)
        or pa.types.is_decimal(kind)
        or pa.types.is_date32(kind)
        or pa.types.is_null(kind)
        or pa.types.is_string_view(kind)
    )
    return None if exact else f"has type {kind}; use text, integer, decimal or date columns"


def _as_text(batch: pa.RecordBatch) -> pa.RecordBatch:
    """Every column as text, nulls as '' (the same as an empty CSV field)."""
    return pa.RecordBatch.from_arrays(
        [pc.fill_null(pc.cast(column, pa.string()), "") for column in batch.columns],
        names=batch.schema.names,
    )


def _chunk(spec: InputFile, batch: pa.RecordBatch, lines: np.ndarray) -> Chunk:
    rows = batch.num_rows
    names = batch.schema.names
    text = {
        name: batch.column(names.index(name))
        if name in names
        else pc.fill_null(pa.nulls(rows, pa.string()), "")
        for name in spec.column_names
    }
    present = [batch.column(i) for i in range(len(names))]
    blank = (
        np.logical_and.reduce(
            [pc.equal(column, "").to_numpy(zero_copy_only=False) for column in present]
        )
        if present
        else np.ones(rows, dtype=bool)
    )
    if blank.any():
        keep = pa.array(~blank)
        text = {name: column.filter(keep) for name, column in text.items()}
        lines = lines[~blank]
    return Chunk(text, lines)
