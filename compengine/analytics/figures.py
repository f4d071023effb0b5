"""The seven figures of a realization bridge (spec section 12), exact, in cents.

Start, churn, net change existing, new commitments and the realization gap are sums over
items; expected and end follow from them, so end = expected + gap holds by construction
and the bridge of a sum of groups is the sum of their bridges.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from fractions import Fraction

from compengine.money import format_cents, round_cents, round_half_away

FIGURE_KEYS = (
    "start",
    "churn",
    "net_change_existing",
    "new_commitments",
    "expected",
    "realization_gap",
    "end",
)
RATIO_KEYS = ("growth", "committed_growth")
RATIO_PLACES = 4


@dataclass(frozen=True)
class Figures:
    """Exact cents (Fraction: a payee's share of an account is a fraction of it)."""

    start: Fraction = Fraction(0)
    churn: Fraction = Fraction(0)
    net_change_existing: Fraction = Fraction(0)
    new_commitments: Fraction = Fraction(0)
    realization_gap: Fraction = Fraction(0)

    @property
    def expected(self) -> Fraction:
        return self.start + self.churn + self.net_change_existing + self.new_commitments

    @property
    def end(self) -> Fraction:
        return self.expected + self.realization_gap

    @property
    def growth(self) -> Fraction | None:
        """end / start - 1; None when start is 0."""
        return self.end / self.start - 1 if self.start else None

    @property
    def committed_growth(self) -> Fraction | None:
        """expected / start - 1: the growth the commitments promised."""
        return self.expected / self.start - 1 if self.start else None

    def __add__(self, other: Figures) -> Figures:
        return Figures(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))

    def scaled(self, factor: Fraction) -> Figures:
        return Figures(*(getattr(self, f.name) * factor for f in fields(self)))

    def is_zero(self) -> bool:
        return not any(getattr(self, f.name) for f in fields(self))

    def value(self, key: str) -> Fraction | None:
        return getattr(self, key)


def ratio_text(value: Fraction | None) -> str:
    """A ratio as a decimal string rounded half away from zero to 4 places; '' for none."""
    if value is None:
        return ""
    units = round_half_away(value.numerator * 10**RATIO_PLACES, value.denominator)
    sign, digits = ("-" if units < 0 else ""), str(abs(units)).rjust(RATIO_PLACES + 1, "0")
    return f"{sign}{digits[:-RATIO_PLACES]}.{digits[-RATIO_PLACES:]}"


def record(group: str, figures: Figures) -> dict[str, str]:
    """The JSON/CSV row of one group: exactly the keys of spec section 12."""
    row = {"group": group}
    row.update({key: format_cents(round_cents(figures.value(key))) for key in FIGURE_KEYS})
    row["growth"] = ratio_text(figures.growth)
    row["committed_growth"] = ratio_text(figures.committed_growth)
    return row
