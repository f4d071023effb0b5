"""Physical line numbers of CSV records, whose quoted values may span several lines.

The CSV reader numbers records (the header is record 1) and skips rows with a wrong
number of fields; a user's editor numbers physical lines. Record r starts on line
r + (line breaks inside the records before r). The breaks are counted in the values
the reader returns (a kept record) or in the raw text of a skipped one; records
arrive in order, so only the skipped rows not yet placed are held.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

_BREAK = r"\r\n|\r|\n"  # the line breaks a CSV reader accepts

Payload = TypeVar("Payload")


def breaks_in(text: str) -> int:
    """Line breaks inside one raw record."""
    return text.count("\n") + text.count("\r") - text.count("\r\n")


def breaks_per_row(columns: list[pa.Array], rows: int) -> np.ndarray:
    """Line breaks inside each row's values, summed over its columns."""
    total = np.zeros(rows, dtype=np.int64)
    for column in columns:
        if _may_break(column):
            total += pc.count_substring_regex(column, _BREAK).to_numpy(zero_copy_only=False)
    return total


def _may_break(column: pa.Array) -> bool:
    """Whether a text column's bytes hold CR or LF: one fast scan of its data buffer
    (which may hold bytes of other rows too: then the exact count is taken anyway)."""
    buffers = column.buffers()
    if len(buffers) != 3:
        return True
    if buffers[2] is None:  # no text at all
        return False
    raw = np.frombuffer(buffers[2], dtype=np.uint8)
    return bool(np.any((raw == 10) | (raw == 13)))


@dataclass(frozen=True)
class _Skipped(Generic[Payload]):
    record: int
    breaks: int
    payload: Payload


class PhysicalLines(Generic[Payload]):
    """Turns record numbers into physical lines, batch after batch."""

    def __init__(self, header_breaks: int):
        self._breaks_before = header_breaks  # inside every record placed so far
        self._skipped_placed = 0
        self._pending: list[_Skipped[Payload]] = []

    def skip(self, record: int, breaks: int, payload: Payload) -> None:
        """A record the reader skipped (reported with `payload` once placed)."""
        self._pending.append(_Skipped(record, breaks, payload))

    def place(
        self, positions: np.ndarray, breaks: np.ndarray, *, last: bool = False
    ) -> tuple[np.ndarray, list[tuple[int, Payload]]]:
        """Lines of the kept rows at `positions` (0-based among all kept rows, in order)
        with `breaks` inside each; and (line, payload) of the skipped rows placed with
        them (all remaining ones when `last`)."""
        pending = self._pending
        kept_before = np.array(
            [s.record - 2 - (self._skipped_placed + i) for i, s in enumerate(pending)],
            dtype=np.int64,
        )
        records = (
            positions
            + 2
            + self._skipped_placed
            + np.searchsorted(kept_before, positions, side="right")
        )
        upto = records[-1] if len(records) else 0
        placed = pending if last else [s for s in pending if s.record <= upto]
        numbers = np.concatenate([records, [s.record for s in placed]]).astype(np.int64)
        inside = np.concatenate([breaks, [s.breaks for s in placed]]).astype(np.int64)
        order = np.argsort(numbers, kind="stable")
        before = np.empty_like(inside)
        before[order] = np.cumsum(inside[order]) - inside[order] + self._breaks_before
        lines = numbers + before
        self._breaks_before += int(inside.sum())
        self._skipped_placed += len(placed)
        self._pending = pending[len(placed) :]
        skipped = [
            (int(line), s.payload) for line, s in zip(lines[len(records) :], placed, strict=True)
        ]
        return lines[: len(records)], skipped
