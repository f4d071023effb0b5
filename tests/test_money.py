"""Rates as percentages: exact where a short decimal exists, marked '~' where it does not."""

from fractions import Fraction

from compengine.money import EXACT_RATE_PLACES, format_rate


def test_rates_as_exact_percentages():
    assert format_rate(Fraction("0.0125")) == "1.25%"
    assert format_rate(Fraction(1)) == "100%"
    assert format_rate(Fraction(0)) == "0%"
    assert format_rate(Fraction("-0.5")) == "-50%"


def test_explanations_round_beyond_six_places():
    assert format_rate(Fraction("0.123456789")) == "~12.345679%"
    assert format_rate(Fraction(1, 3)) == "~33.333333%"


def test_every_plan_rate_is_exact_with_exact_places():
    assert format_rate(Fraction("0.123456789012"), EXACT_RATE_PLACES) == "12.3456789012%"
    assert format_rate(Fraction("0.000000000001"), EXACT_RATE_PLACES) == "0.0000000001%"
