"""A payee's period as a web page and as the statement PDF, shared by the rep pages and the
ops pages. Every number comes from `build_payee_period`, the one view model that the PDF,
the HTML statement and the API use: nothing here adds anything up."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from fastapi import HTTPException, Request
from fastapi.responses import Response
from markupsafe import Markup
from sqlmodel import Session

from compengine.errors import UserError
from compengine.plan.model import PlanVersion
from compengine.statements.charts import ramp_chart_svg
from compengine.statements.files import statement_file_names
from compengine.statements.render import render_pdf
from compengine.views.payee_period import PayeePeriod, build_payee_period
from compengine.web.render import SECURITY_HEADERS, money, page
from compengine.web.sessions import SignedIn


def payee_view(
    session: Session, payee_id: str, period: str, plans: Sequence[PlanVersion]
) -> PayeePeriod:
    """The view, or 404 for an unknown payee or a period never run (the same answer)."""
    try:
        return build_payee_period(session, payee_id, period, plans)
    except UserError:
        raise HTTPException(404) from None


def _charts(view: PayeePeriod) -> list[Markup]:
    format_money = partial(money, currency=view.header.currency)
    charts = []
    for chart in view.ramp_charts:
        if chart.progress is None:
            continue
        name = chart.account_name or chart.account_id or ""
        caption = f"{name} ({chart.account_id}), contract {chart.contract_id}"
        charts.append(Markup(ramp_chart_svg(chart.progress, money=format_money, caption=caption)))
    return charts


def statement_page(
    request: Request, who: SignedIn, view: PayeePeriod, pdf_url: str, **context: object
) -> Response:
    return page(
        request,
        "payee_period.html.j2",
        who,
        title=f"{view.header.period_label} — {view.header.payee_name}",
        view=view,
        h=view.header,
        s=view.summary,
        money=partial(money, currency=view.header.currency),
        charts=_charts(view),
        pdf_url=pdf_url,
        **context,
    )


def statement_pdf(view: PayeePeriod) -> Response:
    """The statement of section 9, as a download named like `compengine statement` names it."""
    name = statement_file_names([view.header.payee_id], view.header.period, "pdf")
    filename = name[view.header.payee_id]
    headers = {**SECURITY_HEADERS, "Content-Disposition": f'attachment; filename="{filename}"'}
    return Response(render_pdf(view), media_type="application/pdf", headers=headers)
