"""The renderer that `statements` runs in each worker: the view model of
`compengine.views.payee_period` through the templates of `compengine.statements.render`.

It is a picklable factory (`RendererFactory` of `bulk`): the parent gives the plans it
has already checked, and each worker builds its render function once, warming the
templates, fonts and stylesheets on a first small document, so that every statement
after it pays only for its own content.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlmodel import Session

from compengine.plan.model import PlanVersion
from compengine.statements.bulk import Render
from compengine.statements.files import StatementFormat

if TYPE_CHECKING:
    from compengine.views.payee_period import PeriodContext

_WARM_UP = "<html><body><p>compengine 0123456789 ,.-</p></body></html>"


@dataclass(frozen=True)
class StatementRenderer:
    plans: tuple[PlanVersion, ...]
    fmt: StatementFormat
    locale: str = "en_US"
    paper: str = "letter"

    def __call__(self) -> Render:
        from compengine.statements.render import render_html, render_pdf
        from compengine.views.payee_period import build_payee_period, period_context

        plans = list(self.plans)
        if self.fmt is StatementFormat.pdf:
            _warm_up_weasyprint()
        by_period: dict[str, PeriodContext] = {}  # the ledger read once a period

        def render(session: Session, payee_id: str, period: str) -> bytes:
            if period not in by_period:
                by_period[period] = period_context(session, period, plans)
            shared = by_period[period]
            view = build_payee_period(
                session, payee_id, period, plans, ramp=shared.ramp, alerts=shared.alerts
            )
            if self.fmt is StatementFormat.pdf:
                return render_pdf(view, locale=self.locale, paper=self.paper)
            return render_html(view, locale=self.locale, paper=self.paper).encode("utf-8")

        return render


def _warm_up_weasyprint() -> None:
    """Load WeasyPrint's fonts (fontconfig) and default stylesheets once per worker."""
    from weasyprint import HTML

    HTML(string=_WARM_UP).write_pdf()
