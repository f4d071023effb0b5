"""The analytics charts: the bridge as a waterfall, and a group's mean normalized ramp
curve with the suggested window marked.

Drawn with the statements' primitives (``compengine.svg``): deterministic bytes, every
text escaped, no ids or scripts, readable in black and white (bars are told apart by
fill and outline, each bar carries its value; the curve's reference lines by dash).
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from html import escape

from compengine.analytics.figures import Figures
from compengine.analytics.windows import REACHED, WindowGroup
from compengine.money import round_cents, round_half_away
from compengine.svg import FONT, marker, num, one_line, text, x_labels, y_ticks

WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 96, 16, 40, 70
PLOT_W, PLOT_H = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
MAX_TITLE = 90
# (figure, label, kind): a "level" bar stands on zero, a "step" bar moves the level
STEPS = (
    ("start", "start", "level"),
    ("churn", "churn", "step"),
    ("net_change_existing", "net change", "step"),
    ("new_commitments", "new commit.", "step"),
    ("expected", "expected", "level"),
    ("realization_gap", "gap", "step"),
    ("end", "end", "level"),
)
STYLE = {
    "level": 'fill="#444" stroke="#000"',
    "up": 'fill="#fff" stroke="#000"',
    "down": 'fill="#bbb" stroke="#000"',
}


def _open(title: str, subtitle: str) -> list[str]:
    title = one_line(title, MAX_TITLE)
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" {FONT} font-size="9" fill="#000">',
        f"<title>{escape(title, quote=False)}: {escape(subtitle, quote=False)}</title>",
        text(4, 12, title, extra=' font-size="10" font-weight="bold"'),
        text(4, 26, subtitle, extra=' font-size="10"'),
    ]


def _grid_lines(
    ticks: list[int], y: Callable[[int], float], label: Callable[[int], str]
) -> list[str]:
    out = []
    for tick in ticks:
        colour = "#000" if tick == 0 else "#ccc"
        out.append(
            f'<line x1="{LEFT}" y1="{num(y(tick))}" x2="{WIDTH - RIGHT}" y2="{num(y(tick))}" '
            f'stroke="{colour}" stroke-width="0.5"/>'
        )
        out.append(text(LEFT - 4, y(tick) + 3, label(tick), "end"))
    return out


def waterfall_svg(figures: Figures, *, title: str, money: Callable[[int], str]) -> str:
    """The seven figures as a waterfall; `money` formats cents (rounded from the exact
    figures, as the tables print them)."""
    cents = {key: round_cents(figures.value(key)) for key, _, _ in STEPS}
    bars, level = [], 0
    for key, label, kind in STEPS:
        if kind == "level":
            low, high, style = 0, cents[key], "level"
            level = cents[key]
        else:
            low, high = level, level + cents[key]
            style = "down" if cents[key] < 0 else "up"
            level = high
        bars.append((label, min(low, high), max(low, high), style, cents[key]))
    ticks = y_ticks(min(b[1] for b in bars), max(b[2] for b in bars))

    def y(value: int) -> float:
        return TOP + PLOT_H * (ticks[-1] - value) / (ticks[-1] - ticks[0])

    slot = PLOT_W / len(bars)
    growth = figures.growth
    subtitle = (
        "start is 0: no growth rate"
        if growth is None
        else f"growth {_percent(growth)} against {_percent(figures.committed_growth)} committed"
    )
    out = [*_open(title, subtitle), *_grid_lines(ticks, y, money)]
    for index, (label, low, high, style, value) in enumerate(bars):
        x = LEFT + index * slot + slot * 0.15
        out.append(
            f'<rect x="{num(x)}" y="{num(y(high))}" width="{num(slot * 0.7)}" '
            f'height="{num(max(y(low) - y(high), 0.5))}" {STYLE[style]} stroke-width="0.75"/>'
        )
        above = value >= 0 or style == "level"
        at = y(high) - 3 if above else y(low) + 10
        out.append(text(x + slot * 0.35, at, money(value), "middle"))
        out.append(text(x + slot * 0.35, TOP + PLOT_H + 12, label, "middle"))
        if index + 1 < len(bars):
            joint = high if value >= 0 or style == "level" else low
            out.append(
                f'<line x1="{num(x + slot * 0.7)}" y1="{num(y(joint))}" '
                f'x2="{num(x + slot)}" y2="{num(y(joint))}" stroke="#000" '
                'stroke-width="0.5" stroke-dasharray="2 2"/>'
            )
    out.extend(_legend(TOP + PLOT_H + 40))
    out.append("</svg>")
    return "\n".join(out)


def _legend(baseline: float) -> list[str]:
    out, left = [], LEFT
    for style, label in (
        ("level", "run rate (level)"),
        ("up", "adds to run rate"),
        ("down", "takes from run rate"),
    ):
        out.append(
            f'<rect x="{num(left)}" y="{num(baseline - 8)}" width="12" height="9" '
            f'{STYLE[style]} stroke-width="0.75"/>'
        )
        out.append(text(left + 17, baseline, label))
        left += 150
    return out


def _percent(value: Fraction | None) -> str:
    if value is None:
        return ""
    tenths = round_half_away(value.numerator * 1000, value.denominator)
    sign, digits = ("-" if tenths < 0 else ""), str(abs(tenths)).rjust(2, "0")
    return f"{sign}{digits[:-1]}.{digits[-1]}%"


def ramp_curve_svg(group: WindowGroup, *, title: str | None = None) -> str:
    """Mean U / plateau by window month, the 100 % and 90 % lines, and the suggested
    window as a vertical line."""
    points = [round_half_away(v.numerator * 1000, v.denominator) for v in group.curve]
    reached = round_half_away(REACHED.numerator * 1000, REACHED.denominator)
    ticks = y_ticks(min([*points, 0]), max([*points, 1000]))

    def y(value: int) -> float:
        return TOP + PLOT_H * (ticks[-1] - value) / (ticks[-1] - ticks[0])

    count = len(points)

    def x(index: int) -> float:
        return LEFT + (index + 0.5) * PLOT_W / count

    heading = title if title is not None else f"Group {group.group}"
    subtitle = (
        f"{group.contracts} contract(s); ramp length p25 {group.p25}, median {group.p50}, "
        f"p75 {group.p75} months; suggested window {group.suggested_window} months"
    )
    out = [*_open(heading, subtitle), *_grid_lines(ticks, y, lambda t: f"{t // 10}%")]
    for level, dash in ((1000, "6 3"), (reached, "2 2")):
        out.append(
            f'<line x1="{LEFT}" y1="{num(y(level))}" x2="{WIDTH - RIGHT}" y2="{num(y(level))}" '
            f'stroke="#000" stroke-width="0.75" stroke-dasharray="{dash}"/>'
        )
    for index in x_labels(count):
        out.append(text(x(index), TOP + PLOT_H + 12, str(index + 1), "middle"))
    out.append(
        text(LEFT + PLOT_W / 2, TOP + PLOT_H + 25, "window month (1 = first purchase)", "middle")
    )
    window = group.suggested_window
    if window <= count:
        wx = x(window - 1)
        out.append(
            f'<line x1="{num(wx)}" y1="{TOP}" x2="{num(wx)}" y2="{TOP + PLOT_H}" stroke="#000" '
            'stroke-width="1.25" stroke-dasharray="8 3"/>'
        )
        out.append(text(wx + 4, TOP + 10, f"suggested window: {window} months"))
    else:
        out.append(
            text(
                WIDTH - RIGHT,
                TOP + 10,
                f"suggested window: {window} months (beyond the {count} months shown)",
                "end",
            )
        )
    coords = " ".join(f"{num(x(i))},{num(y(v))}" for i, v in enumerate(points))
    out.append(f'<polyline points="{coords}" fill="none" stroke="#000" stroke-width="1.5"/>')
    out.extend(marker("dot", x(i), y(v)) for i, v in enumerate(points))
    out.append(
        text(
            LEFT,
            TOP + PLOT_H + 44,
            "solid: mean usage / plateau; long dashes: plateau (100%); "
            "short dashes: 90% of plateau",
        )
    )
    out.append("</svg>")
    return "\n".join(out)
