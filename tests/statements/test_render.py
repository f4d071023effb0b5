"""Rendering a view: user text is escaped, amounts are exact and clearly negative, and the
templates and stylesheet are built once per process."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from compengine.errors import UserError
from compengine.statements import render
from compengine.views.payee_period import (
    ComponentGroup,
    Header,
    LineView,
    PayeePeriod,
    Summary,
)

LOCKED = datetime(2027, 8, 2, 9, 30, tzinfo=UTC)


def view(name: str = "Ada <b>Evans</b>", amount: int = -123456) -> PayeePeriod:
    line = LineView(
        "acme",
        "Acme & Co",
        "k1",
        1,
        0,
        -amount,
        amount,
        "paid",
        "true-up: <script>x</script>",
        True,
    )
    return PayeePeriod(
        header=Header(
            "ae1", name, None, None, "2027-07", "July 2027", "locked", False, "USD",
            LOCKED, 3, "0123456789ab", True, LOCKED, "ST-2027-07-ABC",
        ),
        summary=Summary(amount, 0, 0, amount, amount, amount, 1),
        groups=(ComponentGroup("ae", "AE plan", "ramp", "ramp_realization", (line,), amount),),
        adjustments=(),
        adjustments_subtotal_cents=0,
        holds=(),
        ramp_charts=(),
        plan_terms=(),
        lines_csv="period\n",
    )  # fmt: skip


def test_user_text_is_escaped():
    html = render.render_html(view())
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "Ada &lt;b&gt;Evans&lt;/b&gt;" in html and "Acme &amp; Co" in html


def test_negative_amounts_are_exact_and_marked():
    html = render.render_html(view())
    assert '<span class="num neg">-$1,234.56</span>' in html
    assert "$1,234.56" in render.render_html(view(amount=123456))
    assert "Final" in html and "DRAFT" not in html and "2027-08-02 09:30 UTC" in html


def test_papers_and_locales_are_checked():
    assert '<body class="a4">' in render.render_html(view(), paper="a4")
    assert "-1.234,56" in render.render_html(view(), locale="de_DE")
    with pytest.raises(UserError, match="--locale: unknown locale 'zz'"):
        render.render_html(view(), locale="zz")
    with pytest.raises(UserError, match="--paper"):
        render.render_html(view(), paper="legal")


def test_templates_and_stylesheet_are_built_once_per_process():
    render.render_pdf(view())
    render.render_pdf(view(amount=5))
    assert render._environment.cache_info().misses == 1
    assert render._stylesheet.cache_info().misses == 1
