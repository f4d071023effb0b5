"""Exact money and decimal numbers.

Money is held as integer cents and rates as ``Fraction`` read from their decimal text;
nothing passes through a binary float. Rounding is the spec's only rounding step:
to cents, half away from zero.
"""

from __future__ import annotations

import re
from fractions import Fraction
from functools import lru_cache

# ASCII digits only: Python's \d also matches other scripts' digits (Arabic-Indic, fullwidth, ...).
_MONEY = re.compile(r"^([+-]?)([0-9]+)(?:\.([0-9]{1,2}))?$")
_DECIMAL = re.compile(r"^([+-]?)([0-9]+)(?:\.([0-9]+))?$")

MONEY_WHOLE_DIGITS = 13  # spec section 1: at most 13 digits before the point
MONEY_LIMIT_CENTS = 10 ** (MONEY_WHOLE_DIGITS + 2)  # |cents| must stay below this
DECIMAL_PLACES = 12  # spec section 1: splits and plan rates
DECIMAL_WHOLE_DIGITS = 13  # bound on the whole part of any other decimal


def money_in_range(cents: int) -> bool:
    """Whether an amount (or a stored sum) has at most 13 digits before the point."""
    return -MONEY_LIMIT_CENTS < cents < MONEY_LIMIT_CENTS


def parse_money(text: str) -> int:
    """Cents from a decimal string with at most two places and 13 whole digits;
    ValueError otherwise (the message says which rule the text breaks)."""
    match = _MONEY.match(text.strip())
    if not match:
        raise ValueError(f"{text!r} is not a money amount (a decimal with at most 2 places)")
    sign, whole, frac = match.groups()
    if len(whole.lstrip("0")) > MONEY_WHOLE_DIGITS:
        raise ValueError(f"{text!r} has more than {MONEY_WHOLE_DIGITS} digits before the point")
    cents = int(whole) * 100 + int((frac or "").ljust(2, "0"))
    return -cents if sign == "-" else cents


def parse_decimal(
    text: str,
    *,
    max_places: int | None = DECIMAL_PLACES,
    max_whole_digits: int = DECIMAL_WHOLE_DIGITS,
) -> Fraction:
    """Exact value of a plain decimal string (no exponent), with bounded digits so that no
    input can make exact arithmetic slow or huge; ValueError otherwise."""
    match = _DECIMAL.match(text.strip())
    if not match:
        raise ValueError(f"{text!r} is not a plain decimal number")
    sign, whole, frac = match.groups()
    frac = frac or ""
    if len(whole.lstrip("0")) > max_whole_digits:
        raise ValueError(f"{text!r} has more than {max_whole_digits} digits before the point")
    if max_places is not None and len(frac.rstrip("0")) > max_places:
        raise ValueError(f"{text!r} has more than {max_places} decimal places")
    value = Fraction(int(whole + frac), 10 ** len(frac))
    return -value if sign == "-" else value


def round_half_away(numerator: int, denominator: int) -> int:
    """round(numerator / denominator) to an integer, ties away from zero."""
    if denominator <= 0:
        raise ValueError("denominator must be positive")
    magnitude = (2 * abs(numerator) + denominator) // (2 * denominator)
    return -magnitude if numerator < 0 else magnitude


def round_cents(value: Fraction) -> int:
    """Cents of an exact amount in cents, rounded half away from zero."""
    return round_half_away(value.numerator, value.denominator)


def format_cents(cents: int, *, grouping: bool = False) -> str:
    """'-1234.50' (or '-1,234.50' with grouping): always exactly two decimals."""
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(cents), 100)
    whole_text = f"{whole:,}" if grouping else str(whole)
    return f"{sign}{whole_text}.{frac:02d}"


def format_fraction_cents(value: Fraction, *, grouping: bool = True) -> str:
    """Display form of an exact amount of cents, rounded to the cent."""
    return format_cents(round_cents(value), grouping=grouping)


def _decimal(units: int, places: int) -> str:
    """'12.345' from (12345, 3), exactly."""
    sign, digits = ("-" if units < 0 else ""), str(abs(units)).rjust(places + 1, "0")
    return (
        f"{sign}{digits[: len(digits) - places]}.{digits[len(digits) - places :]}"
        if places
        else f"{sign}{digits}"
    )


EXACT_RATE_PLACES = DECIMAL_PLACES - 2  # a plan rate's percentage never needs more


@lru_cache(maxsize=4096)
def format_rate(value: Fraction, max_places: int = 6) -> str:
    """A rate as a percentage: 0.0125 -> '1.25%', exact up to `max_places` decimals (rounded
    half away from zero and marked '~' beyond them). Explanations keep 6 places; plan terms
    ask for EXACT_RATE_PLACES, which every rate a plan file can hold fits in."""
    scaled = value * 100
    for places in range(max_places + 1):
        units = scaled * 10**places
        if units.denominator == 1:
            return f"{_decimal(int(units), places)}%"
    units = scaled * 10**max_places
    return f"~{_decimal(round_half_away(units.numerator, units.denominator), max_places)}%"
