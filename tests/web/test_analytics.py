"""The ops analytics page (spec sections 11 and 12): the bridge, stall alerts and ramp
windows of the CLI, the same numbers, with the bridge's waterfall; bad input shows the
CLI's message and the rest of the page still works."""

from __future__ import annotations

import json

import pytest
from markupsafe import escape

from tests.web.conftest import cli, cli_refusal


@pytest.fixture(scope="module")
def ops(site):
    return site.sign_in("ops")


def test_the_page_shows_the_cli_s_bridge_and_alerts(site, ops):
    page = ops.get("/ops/analytics", params={"period_from": "2027-01", "period_to": "2027-03"})
    assert page.status_code == 200, page.text
    bridge = json.loads(
        cli(
            site.db_url,
            "bridge",
            "--from",
            "2027-01",
            "--to",
            "2027-03",
            "--by",
            "segment",
            "--plans",
            site.plans,
            "--format",
            "json",
        )
    )
    table = page.text.split('id="bridge-table"', 1)[1].split("</table>", 1)[0]
    for row in bridge:
        cells = table.split(f'<th scope="row">{row["group"]}</th>', 1)[1].split("</tr>", 1)[0]
        for key in ("start", "churn", "net_change_existing", "new_commitments", "end"):
            assert f'<td class="num">{row[key]}</td>' in cells, (key, row)
    assert page.text.count('<figure class="chart"><svg') >= len(bridge)

    alerts = json.loads(
        cli(site.db_url, "alerts", "--period", "2027-03", "--plans", site.plans, "--format", "json")
    )
    if alerts:
        shown = page.text.split('id="alerts-table"', 1)[1].split("</table>", 1)[0]
        for alert in alerts:
            assert alert["contract_id"] in shown and alert["money_at_risk"] in shown
    else:
        assert "No contract is behind its curve" in page.text


def test_bad_input_shows_the_cli_s_message(site, ops):
    refused = cli_refusal(
        site.db_url, "bridge", "--from", "2027-03", "--to", "2027-01", "--plans", site.plans
    )
    page = ops.get("/ops/analytics", params={"period_from": "2027-03", "period_to": "2027-01"})
    assert page.status_code == 200 and str(escape(refused)) in page.text
    hostile = ops.get("/ops/analytics", params={"by": "../'x", "period_to": "9" * 5000})
    assert hostile.status_code == 200 and "is not one of segment, region" in hostile.text
    assert "Traceback" not in hostile.text


def test_only_ops_see_the_analytics(site):
    assert site.sign_in("payroll").get("/ops/analytics").status_code == 403
    assert site.client().get("/ops/analytics").status_code == 303
