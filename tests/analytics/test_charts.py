"""The analytics charts: a waterfall whose bars stand where the figures say, a ramp curve
with the suggested window marked; plain, deterministic, escaped SVG."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from fractions import Fraction

import pytest

from compengine.analytics.charts import ramp_curve_svg, waterfall_svg
from compengine.analytics.figures import Figures
from compengine.analytics.windows import WindowGroup
from compengine.money import format_cents

SVG = "{http://www.w3.org/2000/svg}"
SEED = Figures(
    start=Fraction(100_000_00),
    churn=Fraction(-20_000_00),
    net_change_existing=Fraction(0),
    new_commitments=Fraction(60_000_00),
    realization_gap=Fraction(-30_000_00),
)


def money(cents: int) -> str:
    return format_cents(cents, grouping=True)


def bars(svg: str) -> list[tuple[float, float, str]]:
    """(top, bottom, fill) of each bar, the legend's swatches left out."""
    root = ET.fromstring(svg)
    found = []
    for rect in root.iter(f"{SVG}rect"):
        if rect.get("width") != "12":
            top = float(rect.get("y"))
            found.append((top, top + float(rect.get("height")), rect.get("fill")))
    return found


def test_waterfall_bars_step_from_start_to_expected_to_end():
    svg = waterfall_svg(SEED, title="Total", money=money)
    (start, churn, net, new, expected, gap, end) = bars(svg)
    assert [b[2] for b in (start, expected, end)] == ["#444"] * 3  # levels: solid
    assert churn[2] == gap[2] == "#bbb" and new[2] == "#fff"  # down grey, up white
    assert churn[0] == pytest.approx(start[0], abs=0.02)  # churn hangs from the start level
    assert net[0] == pytest.approx(churn[1], abs=0.02)  # a zero change: a hairline there
    assert new[1] == pytest.approx(churn[1], abs=0.02)  # new commitments rise from there
    assert expected[0] == pytest.approx(new[0], abs=0.02)  # to the expected level
    assert gap[0] == pytest.approx(expected[0], abs=0.02)  # the gap takes expected down
    assert gap[1] == pytest.approx(end[0], abs=0.02)  # to the end level
    labels = [t.text for t in ET.fromstring(svg).iter(f"{SVG}text")]
    for value in ("100,000.00", "-20,000.00", "60,000.00", "140,000.00", "-30,000.00"):
        assert value in labels
    assert "growth 10.0% against 40.0% committed" in labels


def test_charts_are_deterministic_self_contained_and_escape_user_text():
    hostile = 'Segment <script>alert("x")</script> & co'
    svg = waterfall_svg(SEED, title=hostile, money=money)
    assert svg == waterfall_svg(SEED, title=hostile, money=money)
    assert "<script" not in svg and "&lt;script&gt;" in svg
    assert not re.search(r"\bid=|href|<style|url\(", svg)
    ET.fromstring(svg)


def test_a_zero_start_says_there_is_no_growth_rate():
    svg = waterfall_svg(Figures(new_commitments=Fraction(5_00)), title="New", money=money)
    assert "start is 0: no growth rate" in svg


def test_ramp_curve_marks_the_suggested_window_and_the_90_percent_line():
    group = WindowGroup("smb", 7, 3, 4, 6, tuple(Fraction(k, 6) for k in range(1, 13)))
    svg = ramp_curve_svg(group, title="Group smb")
    root = ET.fromstring(svg)
    labels = [t.text for t in root.iter(f"{SVG}text")]
    assert "suggested window: 4 months" in labels
    dashed = [line.get("stroke-dasharray") for line in root.iter(f"{SVG}line")]
    assert {"6 3", "2 2", "8 3"} <= set(dashed)  # plateau, 90 %, suggested window
    (curve,) = root.iter(f"{SVG}polyline")
    assert len(curve.get("points").split()) == 12
    assert svg == ramp_curve_svg(group, title="Group smb")


def test_a_suggested_window_beyond_the_curve_is_named_not_drawn():
    group = WindowGroup("all", 2, 5, 5, 5, (Fraction(1, 2), Fraction(3, 4), Fraction(1)))
    svg = ramp_curve_svg(group)
    assert "suggested window: 5 months (beyond the 3 months shown)" in svg
    assert 'stroke-dasharray="8 3"' not in svg
