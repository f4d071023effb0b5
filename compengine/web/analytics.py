"""The ops page of realization analytics (/ops/analytics): the bridge with its waterfall,
the stall alerts and the ramp windows with their curves — the numbers and charts of
`compengine bridge`, `alerts` and `windows`, from the same report functions."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from markupsafe import Markup
from sqlmodel import Session

from compengine.access.tokens import Role
from compengine.analytics.alerts import ALERT_COLUMNS, alert_row, period_alerts
from compengine.analytics.bridge import GroupBy
from compengine.analytics.report import (
    BRIDGE_COLUMNS,
    WINDOW_COLUMNS,
    bridge_report,
    windows_report,
)
from compengine.analytics.windows import WindowsBy
from compengine.cycles.reports import period_status
from compengine.errors import UserError
from compengine.web.access import engine, role
from compengine.web.plans import server_plans
from compengine.web.render import page
from compengine.web.sessions import SignedIn

router = APIRouter()
OPS = Depends(role(Role.ops))


def _choice(option: str, value: str, kind: type[GroupBy] | type[WindowsBy]):
    if not value:
        return None
    try:
        return kind(value)
    except ValueError:
        names = ", ".join(member.value for member in kind)
        raise UserError.single(f"{option}: {value[:40]!r} is not one of {names}") from None


def _section(compute) -> tuple[object, str | None]:
    """A section's result, or the message of the UserError that refused its input."""
    try:
        return compute(), None
    except UserError as error:
        return None, str(error)


@router.get("/ops/analytics")
def analytics(
    request: Request,
    period_from: str = "",
    period_to: str = "",
    by: str = "segment",
    who: SignedIn = OPS,
) -> Response:
    """Defaults: the bridge over every period run so far, the alerts of the last one."""
    plans = server_plans(request)
    with Session(engine(request)) as session:
        periods = [str(row["period"]) for row in period_status(session)]
        first = period_from or (periods[0] if periods else "")
        last = period_to or (periods[-1] if periods else "")
        bridge, bridge_error = _section(
            lambda: bridge_report(session, first, last, plans, by=_choice("by", by, GroupBy))
        )
        alerts, alerts_error = _section(lambda: period_alerts(session, last, plans))
        window_by = by if by in {member.value for member in WindowsBy} else ""
        windows, windows_error = _section(
            lambda: windows_report(session, by=_choice("by", window_by, WindowsBy))
        )
    return page(
        request,
        "ops_analytics.html.j2",
        who,
        title="Realization analytics",
        period_from=first,
        period_to=last,
        by=by,
        groupings=[member.value for member in GroupBy],
        bridge_columns=BRIDGE_COLUMNS,
        bridge_rows=bridge.rows if bridge else [],
        bridge_charts=[(name, Markup(svg)) for name, svg in bridge.charts] if bridge else [],
        bridge_error=bridge_error,
        alert_columns=ALERT_COLUMNS,
        alert_rows=[alert_row(alert) for alert in alerts] if alerts is not None else [],
        alerts_error=alerts_error,
        window_columns=WINDOW_COLUMNS,
        window_rows=windows.rows if windows else [],
        window_charts=[(name, Markup(svg)) for name, svg in windows.charts] if windows else [],
        windows_error=windows_error,
    )
