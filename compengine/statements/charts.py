"""The ramp progress chart of a statement: cumulative realized usage against the target.

Plain SVG written by hand: a chart library would bring scripts, ids or fonts of its own
to every one of thousands of statements, while two polylines and a few labels are a
page of code. The chart reads in black and white (solid line with dots for realized
usage, dashed line with hollow squares for the target), escapes every text (contract
ids and captions are user data), has no ids, scripts or external references (many
charts share one HTML page) and gives the same bytes for the same input.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from html import escape

from compengine.money import round_cents
from compengine.months import format_period
from compengine.results.explain import percent
from compengine.results.ramp_progress import RampProgress
from compengine.svg import FONT
from compengine.svg import marker as _marker
from compengine.svg import num as _num
from compengine.svg import text as _text
from compengine.svg import x_labels as _x_labels
from compengine.svg import y_ticks as _y_ticks

WIDTH, HEIGHT = 520, 250
LEFT, RIGHT, TOP, BOTTOM = 84, 96, 40, 64  # plot margins: axis labels, end values, title, legend
PLOT_W, PLOT_H = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
MAX_MARKERS = 36  # beyond this, markers would merge into a thick line
MAX_CAPTION = 76  # characters; a longer caption is cut with an ellipsis


def _caption(progress: RampProgress, caption: str | None) -> str:
    text = caption if caption is not None else f"Contract {progress.contract_id}"
    text = " ".join(text.split())  # no newlines or control whitespace from user data
    return text if len(text) <= MAX_CAPTION else text[: MAX_CAPTION - 1] + "…"


def _status(progress: RampProgress) -> str:
    last = progress.points[-1]
    attained = (
        "no target (commitment 0)"
        if last.attainment is None
        else f"attainment {percent(last.attainment)}"
    )
    return f"{attained} after window month {last.k} of {progress.window}"


def _separate(upper: float, lower: float, gap: float = 11.0) -> tuple[float, float]:
    """Two end labels' baselines at least `gap` apart, keeping their order on the page."""
    if lower - upper >= gap:
        return upper, lower
    middle = (upper + lower) / 2
    return middle - gap / 2, middle + gap / 2


@dataclass(frozen=True)
class _Frame:
    """Where a window month and an amount land on the drawing."""

    count: int  # points on the x axis
    bottom: int  # cents at the lowest tick
    top: int  # cents at the highest tick

    def x(self, index: int) -> float:
        return LEFT + (index + 0.5) * PLOT_W / self.count

    def y(self, cents: int) -> float:
        return TOP + PLOT_H * (self.top - cents) / (self.top - self.bottom)


def ramp_chart_svg(
    progress: RampProgress, *, money: Callable[[int], str], caption: str | None = None
) -> str:
    """Inline SVG of R_k and TC_k for k = 1 .. up to P; `money` formats cents for the
    statement's locale, `caption` (default "Contract <id>") is the title's first line."""
    realized = [p.realized_cents for p in progress.points]
    target = [round_cents(Fraction(p.target_cents)) for p in progress.points]
    ticks = _y_ticks(min(realized + target), max(realized + target))
    frame = _Frame(len(progress.points), ticks[0], ticks[-1])
    title, status = _caption(progress, caption), _status(progress)
    return "\n".join(
        [
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
            f'width="{WIDTH}" height="{HEIGHT}" role="img" {FONT} font-size="9" fill="#000">',
            f"<title>{escape(title, quote=False)}: {escape(status, quote=False)}</title>",
            _text(4, 12, title, extra=' font-size="10" font-weight="bold"'),
            _text(4, 26, status, extra=' font-size="10"'),
            *_axes(progress, frame, ticks, money),
            *_series(frame, target, 'stroke="#555" stroke-dasharray="5 3"', "square"),
            *_series(frame, realized, 'stroke="#000"', "dot"),
            *_end_labels(frame, realized[-1], target[-1], money),
            *_legend(TOP + PLOT_H + 44),
            "</svg>",
        ]
    )


def _axes(
    progress: RampProgress, frame: _Frame, ticks: list[int], money: Callable[[int], str]
) -> list[str]:
    """Grid lines with amounts (the zero line in black), window months, axis titles."""
    out = []
    for tick in ticks:
        colour = "#000" if tick == 0 else "#ccc"
        out.append(
            f'<line x1="{LEFT}" y1="{_num(frame.y(tick))}" x2="{WIDTH - RIGHT}" '
            f'y2="{_num(frame.y(tick))}" stroke="{colour}" stroke-width="0.5"/>'
        )
        out.append(_text(LEFT - 4, frame.y(tick) + 3, money(tick), "end"))
    out.append(
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + PLOT_H}" stroke="#000" '
        'stroke-width="0.75"/>'
    )
    for index in _x_labels(frame.count):
        out.append(
            _text(frame.x(index), TOP + PLOT_H + 12, str(progress.points[index].k), "middle")
        )
    first = format_period(progress.first_month)
    out.append(
        _text(LEFT + PLOT_W / 2, TOP + PLOT_H + 25, f"window month (month 1 = {first})", "middle")
    )
    middle = _num(TOP + PLOT_H / 2)
    out.append(
        _text(
            12,
            TOP + PLOT_H / 2,
            "cumulative usage",
            "middle",
            f' transform="rotate(-90 12 {middle})"',
        )
    )
    return out


def _series(frame: _Frame, values: list[int], stroke: str, marker: str) -> list[str]:
    coords = " ".join(f"{_num(frame.x(i))},{_num(frame.y(v))}" for i, v in enumerate(values))
    out = [f'<polyline points="{coords}" fill="none" {stroke} stroke-width="1.5"/>']
    if frame.count <= MAX_MARKERS:
        out.extend(_marker(marker, frame.x(i), frame.y(v)) for i, v in enumerate(values))
    return out


def _end_labels(
    frame: _Frame, realized: int, target: int, money: Callable[[int], str]
) -> list[str]:
    """The last values beside the last points, pushed apart when they would overlap."""
    realized_y, target_y = frame.y(realized) + 3, frame.y(target) + 3
    if realized_y <= target_y:
        realized_y, target_y = _separate(realized_y, target_y)
    else:
        target_y, realized_y = _separate(target_y, realized_y)
    at = frame.x(frame.count - 1) + 6
    return [
        _text(at, realized_y, money(realized), extra=' font-weight="bold"'),
        _text(at, target_y, money(target), extra=' fill="#333"'),
    ]


def _legend(baseline: float) -> list[str]:
    """Line samples with their markers, so the legend holds in black and white."""
    entries = (
        ('stroke="#000"', "dot", "cumulative realized usage"),
        ('stroke="#555" stroke-dasharray="5 3"', "square", "cumulative target"),
    )
    out: list[str] = []
    left = LEFT  # pixels of the drawing, never money: labels come from `money(cents)`
    for stroke, marker, label in entries:
        out.append(
            f'<line x1="{_num(left)}" y1="{_num(baseline - 3)}" x2="{_num(left + 24)}" '
            f'y2="{_num(baseline - 3)}" {stroke} stroke-width="1.5"/>'
        )
        out.append(_marker(marker, left + 12, baseline - 3))
        out.append(_text(left + 30, baseline, label))
        left += 170
    return out
