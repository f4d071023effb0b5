"""What-if (spec section 8): `diff` and `run --dry-run` show what a run would store, per payee
and component, beside what is stored, and write nothing. On the spec's worked example."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

from tests.conftest import table_snapshot
from tests.cycles.conftest import PLAN, payouts, run

RICHER = PLAN.read_text(encoding="utf-8").replace("rate: 0.04", "rate: 0.05")


def _diff(cli, period: str, *extra: object) -> dict:
    result = cli("diff", "--period", period, "--format", "json", *extra)
    assert result.code == 0, result.err
    return json.loads(result.out)


def _stored_by_component(cli, period: str) -> dict[tuple[str, str, str], str]:
    sums: dict[tuple[str, str, str], Decimal] = defaultdict(Decimal)
    for row in payouts(cli, period):
        sums[(row["payee_id"], row["plan_id"], row["component_id"])] += Decimal(row["amount"])
    return {key: f"{value:.2f}" for key, value in sums.items()}


def _new_by_component(diff: dict) -> dict[tuple[str, str, str], str]:
    return {
        (line["payee_id"], line["plan_id"], line["component_id"]): line["new"]
        for line in diff["lines"]
        if line["new"] != "0.00"
    }


def test_diff_of_a_period_never_run_equals_what_run_then_stores(acme, db_url):
    for month in ("2027-01", "2027-02", "2027-03"):
        run(acme, month)
    before = table_snapshot(db_url)
    diff = _diff(acme, "2027-08", "--plans", PLAN)
    assert table_snapshot(db_url) == before
    assert all(line["stored"] == "0.00" for line in diff["lines"])
    run(acme, "2027-08")
    stored = _stored_by_component(acme, "2027-08")
    assert _new_by_component(diff) == stored
    total = f"{sum(Decimal(amount) for amount in stored.values()):.2f}"
    assert diff["total"] == {"stored": "0.00", "new": total, "difference": total}


def test_diff_with_changed_plans_shows_stored_new_and_difference(acme, db_url, tmp_path):
    for month in range(1, 9):
        run(acme, f"2027-{month:02d}")
    assert (
        acme(
            "adjust", "--payee", "ae1", "--period", "2027-08", "--amount", "25", "--reason", "x"
        ).code
        == 0
    )
    richer = tmp_path / "richer.yaml"
    richer.write_text(RICHER, encoding="utf-8")
    before = table_snapshot(db_url)
    diff = _diff(acme, "2027-08", "--plans", richer)
    assert table_snapshot(db_url) == before
    assert diff == {
        "period": "2027-08",
        "lines": [
            {
                "payee_id": "ae1",
                "plan_id": "",
                "component_id": "adjustment",
                "stored": "25.00",
                "new": "25.00",
                "difference": "0.00",
            },
            {
                "payee_id": "ae1",
                "plan_id": "ae-usage",
                "component_id": "expansion",
                "stored": "80.00",
                "new": "100.00",
                "difference": "20.00",
            },
            {
                "payee_id": "csm1",
                "plan_id": "ae-usage",
                "component_id": "sustain",
                "stored": "200.00",
                "new": "200.00",
                "difference": "0.00",
            },
        ],
        "total": {"stored": "305.00", "new": "325.00", "difference": "20.00"},
    }
    result = acme("run", "--period", "2027-08", "--plans", richer)
    assert result.code == 0, result.err
    assert _new_by_component(diff) == _stored_by_component(acme, "2027-08")


def test_table_and_csv_end_with_the_totals(acme):
    run(acme, "2027-01")
    table = acme("diff", "--period", "2027-01", "--plans", PLAN)
    assert (table.code, table.err) == (0, "")
    assert table.out.splitlines() == [
        "payee_id  plan_id   component_id    stored     new  difference",
        "ae1       ae-usage  first-purchase  500.00  500.00        0.00",
        "ae1       ae-usage  ramp             70.00   70.00        0.00",
        "total                               570.00  570.00        0.00",
    ]
    as_csv = acme("diff", "--period", "2027-01", "--plans", PLAN, "--format", "csv")
    assert list(csv.reader(as_csv.out.splitlines()))[-1] == [
        "total",
        "",
        "",
        "570.00",
        "570.00",
        "0.00",
    ]


def test_run_dry_run_prints_the_same_and_writes_nothing(acme, db_url):
    run(acme, "2027-01")
    before = table_snapshot(db_url)
    dry = acme("run", "--period", "2027-02", "--plans", PLAN, "--dry-run")
    diff = acme("diff", "--period", "2027-02", "--plans", PLAN)
    assert (dry.code, dry.err) == (0, "")
    assert dry.out == diff.out
    assert "total" in dry.out
    assert table_snapshot(db_url) == before


def test_a_period_that_run_refuses_is_refused_with_nothing_written(acme, db_url):
    run(acme, "2027-01")
    assert acme("approve", "--period", "2027-01").code == 0
    before = table_snapshot(db_url)
    result = acme("diff", "--period", "2027-01", "--plans", PLAN)
    assert (result.code, result.out) == (1, "")
    assert result.err == (
        "cannot diff period 2027-01: it is approved (allowed only when open or calculated)\n"
    )
    dry = acme("run", "--period", "2027-01", "--plans", PLAN, "--dry-run")
    assert dry.code == 1 and "Traceback" not in dry.err
    assert table_snapshot(db_url) == before


def test_diff_needs_a_well_formed_period_and_readable_plans(acme, db_url):
    before = table_snapshot(db_url)
    bad_period = acme("diff", "--period", "2027-13", "--plans", PLAN)
    assert (bad_period.code, bad_period.err) == (
        1,
        "--period: '2027-13' is not a month (YYYY-MM)\n",
    )
    missing = acme("diff", "--period", "2027-01", "--plans", Path("nowhere"))
    assert (missing.code, missing.err) == (1, "nowhere: no such file or folder\n")
    assert table_snapshot(db_url) == before
