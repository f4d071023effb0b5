"""Drawing primitives shared by every chart compengine draws (statements, analytics).

Plain SVG written by hand: coordinates printed with two decimals so the bytes never
depend on float printing, every text escaped (ids and captions are user data), no ids,
scripts or external references, so that many charts can share one HTML page.
"""

from __future__ import annotations

import math
from html import escape

FONT = 'font-family="DejaVu Sans, Helvetica, Arial, sans-serif"'
MAX_X_LABELS = 12  # a long axis gets every n-th month labelled


def num(value: float) -> str:
    """A coordinate with two decimals, so the bytes do not depend on float printing."""
    return f"{value:.2f}"


def y_ticks(low: int, high: int) -> list[int]:
    """Round-number ticks (1, 2 or 5 x 10^n units apart), at most 6, spanning low..high."""
    low, high = min(low, 0), max(high, 0)
    if high == low:
        high = low + 100
    exponent = 0
    while True:
        for mantissa in (1, 2, 5):
            step = mantissa * 10**exponent
            first, last = math.floor(low / step), math.ceil(high / step)
            if last - first <= 5:
                return [n * step for n in range(first, last + 1)]
        exponent += 1


def x_labels(count: int) -> list[int]:
    """Indexes of the labelled months: all up to MAX_X_LABELS, else month 1, every 2nd, 3rd,
    6th, 12th, ... month and the last month (which drops a neighbour it would touch)."""
    if count <= MAX_X_LABELS:
        return list(range(count))
    step = next(
        (s for s in (2, 3, 6, 12, 24, 60, 120, 240, 600) if count / s <= MAX_X_LABELS - 1),
        math.ceil(count / (MAX_X_LABELS - 1)),
    )
    labels = [0, *range(step - 1, count, step)]
    if labels[-1] != count - 1:
        if count - 1 - labels[-1] < step * 3 / 4:
            labels.pop()
        labels.append(count - 1)
    return labels


def text(x: float, y: float, content: str, anchor: str = "start", extra: str = "") -> str:
    return (
        f'<text x="{num(x)}" y="{num(y)}" text-anchor="{anchor}"{extra}>'
        f"{escape(content, quote=False)}</text>"
    )


def marker(kind: str, cx: float, cy: float) -> str:
    """A dot (filled) or a square (hollow): series told apart without colour."""
    if kind == "dot":
        return f'<circle cx="{num(cx)}" cy="{num(cy)}" r="2.5" fill="#000"/>'
    return (
        f'<rect x="{num(cx - 2.5)}" y="{num(cy - 2.5)}" width="5" height="5" fill="#fff" '
        'stroke="#555" stroke-width="1"/>'
    )


def one_line(content: str, limit: int) -> str:
    """User text on one line, cut with an ellipsis beyond `limit` characters."""
    content = " ".join(content.split())
    return content if len(content) <= limit else content[: limit - 1] + "…"
