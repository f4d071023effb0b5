"""Typed scalars read from their YAML source text, each problem reported where it is.

Numbers must be unquoted and in plain decimal notation: they are parsed from the
text the user wrote (never through a float), so `0.1` is exactly 1/10.
"""

from __future__ import annotations

import re
from fractions import Fraction

from ruamel.yaml.nodes import ScalarNode

from compengine.money import format_cents, parse_decimal, parse_money
from compengine.months import parse_period
from compengine.plan.nodes import Field, Report, kind_of

_INTEGER = re.compile(r"^[+-]?[0-9]+$")  # ASCII digits only (\d is any script's digit)
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")  # control characters but tab
MAX_MONTHS = 1200  # spec section 1: window, baseline, within, churn and duration months
MAX_ID_LENGTH = 200
FORMULA_START = ("=", "+", "-", "@")  # ids end up in spreadsheets
MAX_EARNINGS_CODE_LENGTH = 64
# what payroll systems take as a pay code: ASCII letters and digits, '-' and '_', starting
# with a letter or digit (a leading '-' would read as a formula in a spreadsheet)
_EARNINGS_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")


def read_text(report: Report, where: Field) -> str | None:
    """Any non-empty scalar, as written (so `region: 44` is the text 44)."""
    node = where.node
    if not isinstance(node, ScalarNode) or where.is_null():
        report.at(where, f"must be a text value, but is {kind_of(node)}")
        return None
    if not node.value.strip():
        report.at(where, "must not be empty")
        return None
    if _CONTROL.search(node.value):
        report.at(where, "must not contain control characters")
        return None
    return node.value


def read_id(report: Report, where: Field) -> str | None:
    """An id (component id, role): 1-200 characters, not starting like a spreadsheet formula."""
    value = read_text(report, where)
    if value is None:
        return None
    if len(value) > MAX_ID_LENGTH:
        report.at(where, f"is longer than {MAX_ID_LENGTH} characters")
        return None
    if value.startswith(FORMULA_START):
        report.at(where, f"{value!r} must not begin with {', '.join(FORMULA_START)}")
        return None
    return value


def read_earnings_code(report: Report, where: Field) -> str | None:
    """A component's `earnings_code`: 1-64 letters, digits, '-' or '_' (spec section 3)."""
    value = read_text(report, where)
    if value is None:
        return None
    if len(value) > MAX_EARNINGS_CODE_LENGTH:
        report.at(where, f"is longer than {MAX_EARNINGS_CODE_LENGTH} characters")
        return None
    if not _EARNINGS_CODE.fullmatch(value):
        report.at(
            where,
            f"{value!r} must be letters, digits, '-' and '_' only, starting with a letter or digit",
        )
        return None
    return value


def _number_text(report: Report, where: Field, what: str) -> str | None:
    node = where.node
    if not isinstance(node, ScalarNode) or where.is_null():
        report.at(where, f"must be {what}, but is {kind_of(node)}")
        return None
    if node.style:
        report.at(where, f"must be {what}, not a quoted text ({node.value!r})")
        return None
    return node.value


def read_integer(report: Report, where: Field, minimum: int, maximum: int) -> int | None:
    text = _number_text(report, where, "a whole number")
    if text is None:
        return None
    if not _INTEGER.match(text):
        report.at(where, f"must be a whole number, not {text!r}")
        return None
    if len(text.lstrip("+-").lstrip("0")) > len(str(maximum)):
        report.at(where, f"must be at most {maximum:,} (is {text})")
        return None
    value = int(text)
    if value < minimum:
        report.at(where, f"must be at least {minimum} (is {value})")
        return None
    if value > maximum:
        report.at(where, f"must be at most {maximum:,} (is {value})")
        return None
    return value


def read_decimal(report: Report, where: Field, *, positive: bool = False) -> Fraction | None:
    """A rate or fraction, any number of places; never negative (or never <= 0 when positive)."""
    text = _number_text(report, where, "a number")
    if text is None:
        return None
    try:
        value = parse_decimal(text)
    except ValueError as error:
        report.at(where, str(error))
        return None
    if positive and value <= 0:
        report.at(where, f"must be greater than 0 (is {text})")
        return None
    if value < 0:
        report.at(where, f"must not be negative (is {text})")
        return None
    return value


def read_money(report: Report, where: Field) -> int | None:
    """A non-negative amount in cents, at most 2 decimal places."""
    text = _number_text(report, where, "an amount of money")
    if text is None:
        return None
    try:
        cents = parse_money(text)
    except ValueError as error:
        report.at(where, str(error))
        return None
    if cents < 0:
        report.at(where, f"must not be negative (is {format_cents(cents)})")
        return None
    return cents


def read_month(report: Report, where: Field) -> int | None:
    text = read_text(report, where)
    if text is None:
        return None
    try:
        return parse_period(text)
    except ValueError as error:
        report.at(where, str(error))
        return None
