"""The ramp chart: an SVG a rep can read in black and white, safe with hostile names."""

from __future__ import annotations

import shutil
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import replace
from fractions import Fraction

import pytest

from compengine.money import format_cents
from compengine.months import parse_period
from compengine.results.ramp_progress import RampPoint, RampProgress, ramp_progress
from compengine.statements.charts import ramp_chart_svg
from compengine.svg import MAX_X_LABELS
from tests.results.test_worked_example import ACME, SPEC_PLAN

SVG = "{http://www.w3.org/2000/svg}"
JAN = parse_period("2027-01")


def money(cents: int) -> str:
    return format_cents(cents, grouping=True)


def progress_of(realized: list[int], target: list[Fraction], window: int | None = None):
    points = tuple(
        RampPoint(k, JAN + k - 1, r, t, r / t if t else None)
        for k, (r, t) in enumerate(zip(realized, target, strict=True), start=1)
    )
    return RampProgress("k1", "ae-usage", 1, window or len(points), JAN, points, "ramp")


def parsed(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def texts(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iter(f"{SVG}text")]


def polylines(root: ET.Element) -> list[list[tuple[float, float]]]:
    return [
        [tuple(map(float, pair.split(","))) for pair in line.get("points").split()]
        for line in root.iter(f"{SVG}polyline")
    ]


@pytest.fixture(scope="module")
def worked():
    """Spec section 7 through 2027-04: R_4 = 21,000.00 against TC_4 = 16,666.67."""
    return ramp_progress(ACME, [SPEC_PLAN], parse_period("2027-04"), ["k1"])["k1"]


def test_two_series_with_labels_and_attainment(worked):
    svg = ramp_chart_svg(worked, money=money)
    root = parsed(svg)
    target, realized = polylines(root)
    assert len(target) == len(realized) == 4
    assert all(r[1] < t[1] for r, t in zip(realized, target, strict=True))  # above the target
    labels = texts(root)
    assert labels[:2] == ["Contract k1", "attainment 126.00% after window month 4 of 6"]
    assert "21,000.00" in labels and "16,666.67" in labels  # the values at the last point
    assert [t for t in labels if t.isdigit()] == ["1", "2", "3", "4"]
    assert "window month (month 1 = 2027-01)" in labels and "cumulative usage" in labels
    assert "cumulative realized usage" in labels and "cumulative target" in labels
    assert root.find(f"{SVG}title").text == (
        "Contract k1: attainment 126.00% after window month 4 of 6"
    )


def test_black_and_white_styles_differ(worked):
    root = parsed(ramp_chart_svg(worked, money=money))
    lines = list(root.iter(f"{SVG}polyline"))
    assert lines[0].get("stroke-dasharray") and not lines[1].get("stroke-dasharray")
    assert len(list(root.iter(f"{SVG}circle"))) == 4 + 1  # realized markers + legend
    assert len(list(root.iter(f"{SVG}rect"))) == 4 + 1  # target markers + legend


def test_self_contained_and_deterministic(worked):
    svg = ramp_chart_svg(worked, money=money)
    assert svg == ramp_chart_svg(worked, money=money)
    for forbidden in ("<script", "href", "url(", " id=", "<image", "<style"):
        assert forbidden not in svg


def test_hostile_caption_is_text_not_markup(worked):
    hostile = '<script>alert("x")</script> & Co\n<tspan onload="x">'
    svg = ramp_chart_svg(worked, money=money, caption=hostile)
    root = parsed(svg)
    assert "<script" not in svg and "<tspan" not in svg
    assert not list(root.iter(f"{SVG}script"))
    assert texts(root)[0] == '<script>alert("x")</script> & Co <tspan onload="x">'


def test_hostile_contract_id_and_money_text():
    progress = replace(progress_of([100], [Fraction(100)]), contract_id='k"1<&>')
    root = parsed(ramp_chart_svg(progress, money=lambda c: f"<{c}>&"))
    assert texts(root)[0] == 'Contract k"1<&>'
    assert "<100>&" in texts(root)


def test_long_caption_is_cut():
    progress = progress_of([100], [Fraction(100)])
    title = texts(parsed(ramp_chart_svg(progress, money=money, caption="A" * 500)))[0]
    assert len(title) == 76 and title.endswith("…")


def test_one_point_chart():
    root = parsed(ramp_chart_svg(progress_of([200_000], [Fraction(1_000_000, 6)], 6), money=money))
    target, realized = polylines(root)
    assert len(target) == len(realized) == 1 and target[0][0] == realized[0][0]
    assert "attainment 120.00% after window month 1 of 6" in texts(root)
    assert "2,000.00" in texts(root) and "1,666.67" in texts(root)


def test_zero_commitment_has_no_attainment():
    root = parsed(ramp_chart_svg(progress_of([0, 0], [Fraction(0), Fraction(0)], 6), money=money))
    assert "no target (commitment 0) after window month 2 of 6" in texts(root)
    assert [len(line) for line in polylines(root)] == [2, 2]  # drawn, nothing divided by 0


def test_negative_realized_usage_draws_below_zero():
    root = parsed(
        ramp_chart_svg(
            progress_of([10_000, -20_000], [Fraction(5_000), Fraction(15_000)], 6), money=money
        )
    )
    labels = texts(root)
    assert "-200.00" in labels  # the end value, clearly negative
    assert "0.00" in labels and any(t.startswith("-") for t in labels if t != "-200.00")
    zero_line = [
        float(line.get("y1")) for line in root.iter(f"{SVG}line") if line.get("stroke") == "#000"
    ]
    _, realized = polylines(root)
    assert realized[1][1] > min(zero_line)  # below the zero line on the page


def test_a_1200_month_window_stays_small():
    count = 1200
    progress = progress_of(
        [n * 1000 for n in range(1, count + 1)], [Fraction(n * 900) for n in range(1, count + 1)]
    )
    svg = ramp_chart_svg(progress, money=money)
    root = parsed(svg)
    month_labels = [t for t in texts(root) if t.isdigit()]
    assert 1 < len(month_labels) <= MAX_X_LABELS
    assert (month_labels[0], month_labels[-1]) == ("1", "1200")  # the first and the last month
    assert not list(root.iter(f"{SVG}circle"))[:-1]  # only the legend's marker
    assert all(len(line) == count for line in polylines(root))
    assert len(svg) < 60_000


def test_y_ticks_are_round_amounts(worked):
    labels = texts(parsed(ramp_chart_svg(worked, money=money)))
    ticks = labels[2:8]
    assert ticks == ["0.00", "5,000.00", "10,000.00", "15,000.00", "20,000.00", "25,000.00"]


@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="needs poppler-utils")
def test_renders_in_a_pdf_as_real_text(worked, tmp_path):
    """WeasyPrint draws it as vectors with text that pdftotext reads back."""
    weasyprint = pytest.importorskip("weasyprint")
    svg = ramp_chart_svg(worked, money=money, caption="Acme & Co · k1")
    pdf = tmp_path / "chart.pdf"
    weasyprint.HTML(string=f"<html><body>{svg}</body></html>").write_pdf(pdf)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    for expected in (
        "Acme & Co · k1",
        "attainment 126.00%",
        "21,000.00",
        "16,666.67",
        "cumulative target",
    ):
        assert expected in text
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(tmp_path / "page")], check=True)
    assert (tmp_path / "page-1.png").stat().st_size > 5_000
