"""Exact rational arithmetic on whole arrays.

Every quantity of a component is a numerator array over one integer denominator.
Numerators are Python integers held in numpy object arrays: products of cents, rate
numerators, curve and tier denominators can exceed 64 bits, and Python integers
never overflow or round. The arithmetic is still whole-array (no loop in our code).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from fractions import Fraction

import numpy as np


def big(values: np.ndarray) -> np.ndarray:
    """The same integers as exact Python ints (object dtype) for overflow-free products."""
    return np.asarray(values).astype(object)


def common_denominator(values: Iterable[Fraction]) -> tuple[list[int], int]:
    """Numerators over the least common denominator: [1/2, 1/3] -> ([3, 2], 6)."""
    values = list(values)
    den = math.lcm(*(v.denominator for v in values)) if values else 1
    return [int(v * den) for v in values], den


def rescale(numerators: np.ndarray, den: int, target: int) -> np.ndarray:
    """Numerators over den expressed over target (a multiple of den)."""
    factor = target // den
    return numerators if factor == 1 else numerators * factor


def clamp(values: np.ndarray, low: object, high: object) -> np.ndarray:
    return np.minimum(np.maximum(values, low), high)


def zeros(shape: tuple[int, ...]) -> np.ndarray:
    return np.zeros(shape, dtype=np.int64).astype(object)
