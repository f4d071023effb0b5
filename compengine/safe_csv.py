"""CSV that a spreadsheet will not execute (spec section 6).

Ids, names and reasons are user data; any of them may begin with '=', so every CSV the
product writes, to the terminal (`payouts --format csv`) or into a statement's
`lines.csv`, goes through `write_csv`. It lives at the bottom layer so that the
command line and the statements share one writer and give the same bytes.
"""

from __future__ import annotations

import csv
import io
import re
import sys
from collections.abc import Iterable, Mapping
from typing import TextIO

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"^[+-]?[0-9]+(\.[0-9]+)?$")


def csv_cell(value: object) -> str:
    """The text of a CSV cell, with a leading "'" where a spreadsheet would run a formula."""
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_START) and not NUMBER.match(text):
        return "'" + text
    return text


def write_csv(
    records: Iterable[Mapping[str, object]], columns: list[str], stream: TextIO | None = None
) -> None:
    writer = csv.writer(stream or sys.stdout, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([csv_cell(record.get(c)) for c in columns] for record in records)


def csv_text(records: Iterable[Mapping[str, object]], columns: list[str]) -> str:
    """The same CSV as a string (an attachment, a file)."""
    buffer = io.StringIO()
    write_csv(records, columns, buffer)
    return buffer.getvalue()
