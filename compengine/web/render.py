"""Pages as HTML responses: one Jinja2 environment, the money formats, the headers every
page carries."""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from importlib.resources import files
from urllib.parse import quote

from babel.numbers import format_currency
from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from compengine.money import format_cents, parse_money
from compengine.web.sessions import SignedIn

TEMPLATES = files("compengine.web") / "templates"
STYLESHEET = files("compengine.web") / "static" / "web.css"

# No scripts at all; inline style attributes only for the statement's SVG charts.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def amount(cents: int) -> str:
    """Ops and payroll tables: the exact amount as the command line prints it."""
    return format_cents(cents, grouping=True)


def amount_text(text: str) -> str:
    """An exact amount the reports give as text ('-1234.50'), grouped like `amount`."""
    return amount(parse_money(text))


def money(cents: int, currency: str = "USD") -> str:
    """Rep pages: the statement's Babel money format (exact: a Decimal of the cents)."""
    return format_currency(Decimal(cents).scaleb(-2), currency, locale="en_US")


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,
    )
    env.globals.update(amount=amount, amount_text=amount_text)
    env.filters["quote"] = lambda text: quote(str(text), safe="")
    return env


@cache
def stylesheet() -> str:
    return STYLESHEET.read_text(encoding="utf-8")


def page(
    request: Request,
    template: str,
    who: SignedIn | None,
    *,
    status: int = 200,
    **context: object,
) -> HTMLResponse:
    """The rendered template; `who` gives the navigation, the sign-out form and the CSRF
    token of every form on the page."""
    context.setdefault("notice", None)
    context.setdefault("error", None)
    html = (
        environment()
        .get_template(template)
        .render(
            me=who.principal if who else None,
            csrf=who.csrf_token if who else "",
            path=request.url.path,
            **context,
        )
    )
    return HTMLResponse(html, status_code=status, headers=SECURITY_HEADERS)
