"""Reading over HTTP (spec section 10): periods, payouts (pages, filters, ETag, CSV equal
to the CLI's), a rep's own record, periods, lines and statement; health and OpenAPI.
Nothing here writes, so the module shares one server per backend."""

from __future__ import annotations

import json
import subprocess

import httpx
import pytest

from compengine.api.routes.payouts import MAX_LIMIT
from tests.api.conftest import PLANS, Api, is_problem
from tests.conftest import COMPENGINE, process_environment
from tests.server import running_server


def walk(api: Api, period: str, role: str = "ops", **params) -> list[dict]:
    """Every page of a period's lines, following next_cursor to its end."""
    lines, cursor = [], None
    while True:
        query = {**params, **({"cursor": cursor} if cursor else {})}
        response = api.get(f"/periods/{period}/payouts", role, params=query)
        assert response.status_code == 200, response.text
        page = response.json()
        lines += page["data"]
        cursor = page["next_cursor"]
        if cursor is None:
            return lines


def test_health_says_the_database_answers_at_the_current_schema(api):
    health = api.get("/health")
    assert health.status_code == 200
    assert health.json() == {"status": "ok", "database": "ok", "schema": "0005"}


def test_openapi_lists_paths_that_work_against_the_server(api):
    spec = api.get("/openapi.json").json()
    assert spec["servers"] == [{"url": "/api/v1"}]
    assert {
        "/health",
        "/periods",
        "/periods/{period}/payouts",
        "/me/statements/{period}.pdf",
    } <= set(spec["paths"])
    problem = spec["paths"]["/periods/{period}/payouts"]["get"]["responses"]["409"]
    assert "application/problem+json" in problem["content"]
    docs = api.get("/docs")
    assert docs.status_code == 200 and "/api/v1/openapi.json" in docs.text


def test_periods_show_state_staleness_totals_and_lock_time(api):
    periods = {p["period"]: p for p in api.get("/periods", "payroll").json()}
    status = {s["period"]: s for s in json.loads(api.cli("status", "--format", "json").out)}
    assert list(periods) == ["2027-01", "2027-02", "2027-03"]
    for period, row in periods.items():
        assert row["state"] == status[period]["state"]
        assert (row["paid"], row["held"], row["lines"]) == (
            status[period]["paid"],
            status[period]["held"],
            status[period]["lines"],
        )
    assert periods["2027-01"]["paid"] == "3237.06" and periods["2027-01"]["lines"] == 14
    assert periods["2027-02"]["locked_at"].endswith("+00:00")
    assert periods["2027-03"]["state"] == "calculated" and periods["2027-03"]["locked_at"] is None


def test_a_walk_of_small_pages_serves_each_line_once_in_id_order(api):
    cli_lines = json.loads(api.cli("payouts", "--period", "2027-02", "--format", "json").out)
    lines = walk(api, "2027-02", "payroll", limit=2)
    assert len(lines) == len(cli_lines) == 18
    assert [line["id"] for line in lines] == sorted({line["id"] for line in lines})
    spec_columns = set(cli_lines[0])
    by_key = sorted(
        ({k: v for k, v in line.items() if k in spec_columns} for line in lines), key=str
    )
    assert by_key == sorted(cli_lines, key=str)
    assert {line["lineage"]["kind"] for line in lines} >= {"first_purchase", "ramp_realization"}


def test_filters_select_lines_by_payee_plan_and_component(api):
    ae2 = walk(api, "2027-02", payee_id="ae2")
    assert {line["payee_id"] for line in ae2} == {"ae2"} and len(ae2) == 3
    ramp = walk(api, "2027-02", payee_id="ae2", plan_id="ae-usage", component_id="ramp")
    assert sorted(line["contract_id"] for line in ramp) == ["k-globex-1", "k-initech-1"]
    assert walk(api, "2027-02", payee_id="nobody") == []


def test_payroll_reads_only_locked_periods(api):
    refused = api.get("/periods/2027-03/payouts", "payroll")
    assert is_problem(refused, 409) and "only locked periods" in refused.json()["detail"]
    assert api.get("/periods/2027-03/payouts", "ops").status_code == 200


def test_csv_is_byte_for_byte_the_cli_csv(api):
    for period in ("2027-01", "2027-02"):
        response = api.get(f"/periods/{period}/payouts", "payroll", headers={"Accept": "text/csv"})
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/csv; charset=utf-8"
        cli = subprocess.run(
            [str(COMPENGINE), "--db", api.db_url, "payouts", "--period", period, "--format", "csv"],
            capture_output=True,
            env=process_environment(),
            check=True,
        )
        assert response.content == cli.stdout
    filtered = api.get(
        "/periods/2027-02/payouts",
        "ops",
        params={"payee_id": "ae3"},
        headers={"Accept": "text/csv"},
    )
    rows = filtered.text.splitlines()
    assert rows[0].startswith("period,payee_id") and len(rows) == 4
    assert all(row.startswith("2027-02,ae3,") for row in rows[1:])


@pytest.mark.parametrize("accept", ["application/json", "text/csv"])
def test_a_strong_etag_answers_304_while_nothing_changed(api, accept):
    first = api.get("/periods/2027-02/payouts", "payroll", headers={"Accept": accept})
    etag = first.headers["etag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    again = api.get(
        "/periods/2027-02/payouts", "payroll", headers={"Accept": accept, "If-None-Match": etag}
    )
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    other = api.get(
        "/periods/2027-02/payouts",
        "payroll",
        params={"payee_id": "ae1"},
        headers={"Accept": accept, "If-None-Match": etag},
    )
    assert other.status_code == 200 and other.headers["etag"] != etag


def test_csv_and_json_of_one_period_have_different_etags(api):
    json_tag = api.get("/periods/2027-01/payouts", "ops").headers["etag"]
    csv_tag = api.get("/periods/2027-01/payouts", "ops", headers={"Accept": "text/csv"}).headers[
        "etag"
    ]
    assert json_tag != csv_tag


def test_a_cursor_continues_only_its_own_walk(api):
    page = api.get("/periods/2027-02/payouts", "ops", params={"limit": 2}).json()
    cursor = page["next_cursor"]
    for params in (
        {"cursor": cursor, "payee_id": "ae1"},
        {"cursor": "not-a-cursor"},
        {"cursor": cursor[:-3]},
    ):
        assert is_problem(api.get("/periods/2027-02/payouts", "ops", params=params), 422)
    assert is_problem(api.get("/periods/2027-01/payouts", "ops", params={"cursor": cursor}), 422)
    assert is_problem(
        api.get("/periods/2027-02/payouts", "ops", params={"limit": MAX_LIMIT + 1}), 422
    )


def test_a_rep_reads_their_own_record_periods_and_lines(api):
    assert api.get("/me", "rep").json() == {
        "payee_id": "ae2",
        "name": "Ben Okafor",
        "email": "ben.okafor@example.com",
        "title": "Account Executive",
        "manager_id": "mgr1",
    }
    periods = api.get("/me/periods", "rep").json()
    assert [(p["period"], p["state"]) for p in periods] == [
        ("2027-01", "locked"),
        ("2027-02", "locked"),
    ]
    mine = api.get("/me/payouts", "rep", params={"period": "2027-02"}).json()
    assert {line["payee_id"] for line in mine["data"]} == {"ae2"}
    assert sorted(line["amount"] for line in mine["data"]) == ["15.00", "250.00", "416.00"]
    calculated = api.get("/me/payouts", "rep", params={"period": "2027-03"})
    assert is_problem(calculated, 404)


def test_a_rep_downloads_their_statement_of_a_locked_period_only(api, tmp_path):
    pdf = api.get("/me/statements/2027-02.pdf", "rep")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    assert 'filename="ae2_2027-02.pdf"' in pdf.headers["content-disposition"]
    path = tmp_path / "ae2.pdf"
    path.write_bytes(pdf.content)
    text = subprocess.run(["pdftotext", path, "-"], capture_output=True, text=True).stdout
    assert "Ben Okafor" in text and "416.00" in text
    assert is_problem(api.get("/me/statements/2027-03.pdf", "rep"), 404)
    assert is_problem(api.get("/me/statements/2027-04.pdf", "rep"), 404)


def test_ops_gets_anyones_statement_even_a_draft(api):
    draft = api.get("/payees/ae3/statements/2027-03.pdf", "ops")
    assert draft.status_code == 200 and draft.content.startswith(b"%PDF-")
    assert is_problem(api.get("/payees/ae3/statements/2027-04.pdf", "ops"), 404)


def test_a_rep_asking_for_another_payee_gets_the_answer_for_no_payee_at_all(api):
    own = api.get("/payees/ae2/statements/2027-02.pdf", "rep")
    assert own.status_code == 200
    other = api.get("/payees/ae1/statements/2027-02.pdf", "rep")
    nobody = api.get("/payees/nobody/statements/2027-02.pdf", "rep")
    assert is_problem(other, 404) and other.content == nobody.content
    assert other.headers["content-length"] == nobody.headers["content-length"]
    assert api.get("/payees/nobody/statements/2027-02.pdf", "ops").content == nobody.content


def test_token_use_is_recorded_as_last_used(api):
    api.get("/periods", "payroll")
    listing = json.loads(api.cli("token", "list", "--format", "json").out)
    used = {row["name"]: row["last_used_at"] for row in listing}
    assert used["payroll-sys"] is not None


def test_a_token_is_never_logged_nor_accepted_in_a_url(api, tmp_path):
    """A server of its own, to read everything it prints."""
    token = api.tokens["payroll"]
    auth = {"Authorization": f"Bearer {token}"}
    output: list[str] = []
    with running_server(api.db_url, PLANS, tmp_path, output) as base:
        assert httpx.get(f"{base}/api/v1/periods", headers=auth).status_code == 200
        refused = httpx.get(f"{base}/api/v1/periods/2027-03/payouts", headers=auth)
        assert refused.status_code == 409
        in_url = httpx.get(f"{base}/api/v1/periods", params={"token": token, "access_token": token})
        assert is_problem(in_url, 401)
        bare = httpx.get(f"{base}/api/v1/periods", headers={"Authorization": token})
        assert is_problem(bare, 401)
    [printed] = output
    assert "GET /api/v1/periods HTTP/1.1" in printed
    assert token not in printed and token[3:20] not in printed and "access_token" not in printed
