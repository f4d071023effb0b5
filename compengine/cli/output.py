"""Printing records safely: CSV that a spreadsheet will not execute, and terminal text
without control characters (spec section 6).

Ids, names and reasons are user data; any of them may begin with '=' or hold an
escape sequence, so every command prints through these two functions.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping
from enum import StrEnum
from typing import TextIO

from compengine.safe_csv import NUMBER, csv_cell, write_csv

# csv_cell and write_csv are re-exported: every command prints through this module.
__all__ = ["Format", "csv_cell", "print_table", "terminal_text", "write_csv"]


class Format(StrEnum):
    """--format of every command that prints records."""

    table = "table"
    csv = "csv"
    json = "json"


_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")


def terminal_text(value: object) -> str:
    """Text safe to print on a terminal: control characters (ESC, CR, ...) shown as \\xNN,
    tabs as a space."""
    text = "" if value is None else str(value)
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text.replace("\t", " "))


def print_table(
    records: list[Mapping[str, object]],
    columns: list[str],
    empty: str,
    stream: TextIO | None = None,
) -> None:
    """Aligned columns (amount-like columns right-aligned), or `empty` when there is no row."""
    out = stream or sys.stdout
    if not records:
        print(empty, file=out)
        return
    cells = [[terminal_text(record.get(c)) for c in columns] for record in records]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(columns)]
    right = [all(NUMBER.match(row[i]) or not row[i] for row in cells) for i in range(len(columns))]

    def line(values: list[str]) -> str:
        return "  ".join(
            v.rjust(w) if r else v.ljust(w) for v, w, r in zip(values, widths, right, strict=True)
        ).rstrip()

    print(line(list(columns)), file=out)
    for row in cells:
        print(line(row), file=out)
