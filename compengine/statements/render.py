"""A payee's period as HTML and as a PDF/A-3b statement (spec section 9).

The Jinja2 environment and the stylesheets are built once per process and shared by
every statement it renders (a bulk run renders thousands in one worker). A locked
period's PDF is byte-identical on every render: its dates are the lock time, its
identifier comes from the statement id, and its attachment carries fixed dates.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from functools import cache
from importlib.resources import files
from typing import Literal

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.numbers import format_currency
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from compengine.errors import UserError
from compengine.statements.charts import ramp_chart_svg
from compengine.views.payee_period import PayeePeriod, RampChart

Paper = Literal["letter", "a4"]
PAPERS = ("letter", "a4")
TEMPLATES = files("compengine.statements") / "templates"

WORDS = {
    "title": "Payout statement",
    "draft": "DRAFT — not final",
    "final": "Final",
    "locked": "locked",
    "stale": "stale: to be run again",
    "state": "State",
    "payee": "Payee",
    "job_title": "Title",
    "manager": "Manager",
    "period": "Period",
    "currency": "Currency",
    "statement": "Statement",
    "generated": "Generated",
    "run": "Run",
    "fingerprint": "fingerprint",
    "summary": "Summary",
    "paid": "Paid this period",
    "held": "Held this period",
    "total": "Total of this period's lines",
    "incl_adjustments": "of which adjustments",
    "incl_true_ups": "of which true-ups",
    "ytd": "Year-to-date paid",
    "no_payout": "There is no payout for you in",
    "lines": "Lines by plan and component",
    "account": "Account",
    "contract": "Contract",
    "version": "Version",
    "earned": "Earned to date",
    "paid_before": "Paid before",
    "amount": "Amount",
    "status": "Status",
    "subtotal": "Subtotal",
    "adjustments_holds": "Adjustments and holds",
    "adjustments": "adjustments",
    "reason": "Adjustment and reason",
    "by": "By",
    "on_hold": "On hold",
    "hold_released": "Hold released",
    "released": "released",
    "total_lines": "Total of all lines (paid and held)",
    "ramp": "Ramp progress",
    "watch": "Accounts to watch",
    "why": "Why",
    "at_risk": "At risk",
    "watch_note": (
        "Pay at risk if nothing changes: for a ramp, the ramp earnings and bonus at full "
        "attainment minus what the current pace earns; for retention, this month's "
        "sustained-usage pay not earned. Figures from the usage ledger as it stands."
    ),
    "terms": "Plan terms",
    "page": "page",
    "of": "of",
}


@cache
def _environment() -> Environment:
    environment = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,
        trim_blocks=False,
    )
    return environment


@cache
def _css_text() -> str:
    return (TEMPLATES / "statement.css").read_text(encoding="utf-8")


@cache
def _stylesheet():
    """The parsed print stylesheet and its fonts, shared by every PDF of the process."""
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    return CSS(string=_css_text(), font_config=fonts), fonts


def checked_locale(locale: str) -> Locale:
    """The Babel locale of --locale, or a UserError naming it."""
    try:
        return Locale.parse(locale.replace("-", "_"))
    except (ValueError, TypeError, UnknownLocaleError) as error:
        raise UserError.single(f"--locale: unknown locale {locale!r}") from error


def checked_paper(paper: str) -> str:
    if paper not in PAPERS:
        raise UserError.single(f"--paper: {paper!r} is not one of {', '.join(PAPERS)}")
    return paper


def money_formatter(view: PayeePeriod, locale: Locale):
    """Integer cents as the locale writes money in the statement's currency; exact (a
    Decimal of the cents, never a float)."""
    currency = view.header.currency

    def money(cents: int) -> str:
        return format_currency(Decimal(cents).scaleb(-2), currency, locale=locale)

    return money


def _when(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _chart_svg(chart: RampChart, money: Callable[[int], str]) -> Markup:
    """The contract's ramp chart as inline SVG (escaped by `ramp_chart_svg` itself)."""
    if chart.progress is None:
        return Markup("")
    name = chart.account_name or chart.account_id or ""
    caption = f"{name} ({chart.account_id}), contract {chart.contract_id}"
    return Markup(ramp_chart_svg(chart.progress, money=money, caption=caption))


def _html(view: PayeePeriod, locale: str, paper: str, *, inline_css: bool) -> str:
    babel_locale = checked_locale(locale)
    paper = checked_paper(paper)
    header = view.header
    month = datetime.strptime(header.period, "%Y-%m").date()
    words = {
        **WORDS,
        "rounding": f"amounts in {header.currency}, rounded half away from zero to the cent",
    }
    money = money_formatter(view, babel_locale)
    return (
        _environment()
        .get_template("statement.html.j2")
        .render(
            view=view,
            h=header,
            s=view.summary,
            t=words,
            lang=str(babel_locale).replace("_", "-"),
            label=format_date(month, "MMMM y", locale=babel_locale),
            stamp=header.generated_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            paper=paper,
            css=Markup(_css_text()) if inline_css else "",
            money=money,
            when=_when,
            charts=[svg for chart in view.ramp_charts if (svg := _chart_svg(chart, money))],
        )
    )


def render_html(view: PayeePeriod, *, locale: str = "en_US", paper: str = "letter") -> str:
    """A self-contained HTML statement (its stylesheet inline, no external reference)."""
    return _html(view, locale, paper, inline_css=True)


def render_pdf(view: PayeePeriod, *, locale: str = "en_US", paper: str = "letter") -> bytes:
    """The PDF/A-3b statement with the payee's lines attached as `lines.csv`."""
    from weasyprint import HTML, Attachment

    stylesheet, fonts = _stylesheet()
    moment = view.header.generated_at.astimezone(UTC).replace(tzinfo=None)
    lines = Attachment(
        string=view.lines_csv.encode("utf-8"),
        name="lines.csv",
        description=f"payout lines of {view.header.payee_id} in {view.header.period}",
        created=moment,
        modified=moment,
        relationship="Data",
    )
    document = HTML(string=_html(view, locale, paper, inline_css=False))
    return document.write_pdf(
        stylesheets=[stylesheet],
        font_config=fonts,
        pdf_variant="pdf/a-3b",
        pdf_identifier=hashlib.sha256(view.header.statement_id.encode()).hexdigest()[:32].encode(),
        attachments=[lines],
    )
