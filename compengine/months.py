"""Calendar months as integers (year * 12 + month - 1) so that month arithmetic is plain
integer arithmetic, and the `YYYY-MM` text form users type."""

from __future__ import annotations

import calendar
import re
from datetime import date
from functools import lru_cache

# ASCII digits only: Python's \d also matches other scripts' digits (Arabic-Indic, fullwidth, ...).
_PERIOD = re.compile(r"^([0-9]{4})-([0-9]{2})$")


def parse_period(text: str) -> int:
    """Month index of 'YYYY-MM' (year 0001..9999); ValueError when malformed."""
    match = _PERIOD.match(text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1:
        raise ValueError(f"{text!r} is not a month (YYYY-MM)")
    return int(match.group(1)) * 12 + int(match.group(2)) - 1


@lru_cache(maxsize=4096)
def format_period(index: int) -> str:
    year, month0 = divmod(index, 12)
    return f"{year:04d}-{month0 + 1:02d}"


def month_of(day: date) -> int:
    return day.year * 12 + day.month - 1


def first_day(index: int) -> date:
    year, month0 = divmod(index, 12)
    return date(year, month0 + 1, 1)


def last_day(index: int) -> date:
    year, month0 = divmod(index, 12)
    return date(year, month0 + 1, calendar.monthrange(year, month0 + 1)[1])


def days_in(index: int) -> int:
    year, month0 = divmod(index, 12)
    return calendar.monthrange(year, month0 + 1)[1]
