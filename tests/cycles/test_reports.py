"""What ops read back: audit (filters and formats), status and runs with UTC times, and
explain/payouts refusing what they cannot answer (spec section 8)."""

import csv
import json
import re
from datetime import UTC, datetime, timedelta, timezone

import pytest

from tests.conftest import table_snapshot
from tests.cycles.conftest import load_worked_example, run

UTC_TIME = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\+00:00$")


def as_json(cli, *args):
    result = cli(*args, "--format", "json")
    assert result.code == 0, result.err
    return json.loads(result.out)


def refused(cli, db_url, *args, message):
    before = table_snapshot(db_url)
    result = cli(*args)
    assert result.code == 1, result.out
    assert message in result.err and "Traceback" not in result.err
    assert table_snapshot(db_url) == before


def report_cycle(cli, folder) -> None:
    """2027-01 run, approved and locked; 2027-02 run, adjusted, held and released."""
    load_worked_example(cli, folder)
    run(cli, "2027-01")
    cli("approve", "--period", "2027-01")
    cli("lock", "--period", "2027-01")
    run(cli, "2027-02")
    cli("adjust", "--payee", "ae1", "--period", "2027-02", "--amount", "25", "--reason", "spiff")
    cli("hold", "--payee", "csm1", "--period", "2027-02", "--reason", "paperwork")
    cli("release", "--payee", "csm1", "--period", "2027-02", "--reason", "signed")


@pytest.fixture
def cycle(cli, from_template):
    from_template("report-cycle", report_cycle)
    return cli


def test_audit_shows_every_event_in_utc_with_its_offset(cycle):
    events = as_json(cycle, "audit")
    assert [e["action"] for e in events] == [
        "load",
        "run",
        "approve",
        "lock",
        "run",
        "adjust",
        "hold",
        "release",
    ]
    assert all(UTC_TIME.match(e["at"]) for e in events)
    lock = events[3]
    assert (lock["period"], lock["before"], lock["after"]) == (
        "2027-01",
        {"state": "approved"},
        {"state": "locked"},
    )
    table = cycle("audit").out.splitlines()
    assert table[0].split() == [
        "at",
        "actor",
        "action",
        "period",
        "payee",
        "reason",
        "before",
        "after",
    ]
    assert UTC_TIME.match(table[1].split()[0])


def test_audit_filters_by_payee_action_and_period(cycle):
    assert [e["action"] for e in as_json(cycle, "audit", "--payee", "csm1")] == ["hold", "release"]
    assert [e["period"] for e in as_json(cycle, "audit", "--action", "run")] == [
        "2027-01",
        "2027-02",
    ]
    assert [e["action"] for e in as_json(cycle, "audit", "--period", "2027-01")] == [
        "run",
        "approve",
        "lock",
    ]
    assert [
        e["reason"]
        for e in as_json(
            cycle, "audit", "--period", "2027-02", "--payee", "ae1", "--action", "adjust"
        )
    ] == ["spiff"]


def test_audit_since_takes_a_date_or_a_datetime_with_or_without_offset(cycle):
    events = as_json(cycle, "audit")
    first = datetime.fromisoformat(events[0]["at"])
    last = datetime.fromisoformat(events[-1]["at"])
    assert len(as_json(cycle, "audit", "--since", first.date().isoformat())) == len(events)
    tomorrow = (last + timedelta(days=1)).date().isoformat()
    assert as_json(cycle, "audit", "--since", tomorrow) == []
    # the same moment written in UTC without an offset, and at +05:00
    naive = first.replace(tzinfo=None).isoformat()
    assert len(as_json(cycle, "audit", "--since", naive)) == len(events)
    east = first.astimezone(timezone(timedelta(hours=5))).isoformat()
    assert east.endswith("+05:00")
    assert len(as_json(cycle, "audit", "--since", east)) == len(events)
    after_last = (last + timedelta(seconds=1)).astimezone(timezone(timedelta(hours=-7)))
    assert as_json(cycle, "audit", "--since", after_last.isoformat()) == []
    assert len(as_json(cycle, "audit", "--since", last.strftime("%Y-%m-%dT%H:%M:%SZ"))) >= 1


def test_audit_csv_neutralises_formulas_and_the_table_strips_control_characters(cycle):
    reason = '=HYPERLINK("http://evil")\tsee'
    adjusted = cycle(
        "adjust", "--payee", "ae1", "--period", "2027-02", "--amount", "1", "--reason", reason
    )
    assert adjusted.code == 0, adjusted.err
    out = cycle("audit", "--action", "adjust", "--format", "csv").out
    rows = list(csv.DictReader(out.splitlines()))
    assert [r["reason"] for r in rows] == ["spiff", "'" + reason]
    table = cycle("audit", "--action", "adjust").out
    assert "\t" not in table and '=HYPERLINK("http://evil") see' in table


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--since", "2027-13-01"), "--since: '2027-13-01' is not a date (YYYY-MM-DD) or an ISO"),
        (("--since", "yesterday"), "--since: 'yesterday' is not a date"),
        (("--since", "\u0662\u0660\u0662\u0667-01-01"), "is not a date"),
        (("--payee", "nobody"), "--payee: unknown payee 'nobody'"),
        (
            ("--action", "hodl"),
            "--action: compengine records no action 'hodl' (actions: load, replace, run",
        ),
        (("--period", "2027-1"), "--period: '2027-1' is not a month (YYYY-MM)"),
    ],
)
def test_audit_refuses_filters_it_cannot_apply(cycle, db_url, args, message):
    refused(cycle, db_url, "audit", *args, message=message)


def test_an_action_not_recorded_yet_is_an_empty_log_not_an_error(cycle):
    """Nothing of the cycle has been exported yet: an answer, not a refusal."""
    assert as_json(cycle, "audit", "--action", "export") == []
    assert as_json(cycle, "audit", "--action", "reopen") == []
    assert as_json(cycle, "audit", "--action", "replace") == []


def test_status_and_runs_show_utc_times_in_every_format(cycle):
    status = as_json(cycle, "status")
    assert [(s["period"], s["state"], s["lines"]) for s in status] == [
        ("2027-01", "locked", 2),
        ("2027-02", "calculated", 2),
    ]
    assert all(UTC_TIME.match(s["last_run"]) for s in status)
    assert (status[1]["paid"], status[1]["held"], status[1]["adjustments"]) == (
        "165.00",
        "0.00",
        "25.00",
    )
    runs = as_json(cycle, "runs")
    assert [(r["run"], r["period"]) for r in runs] == [(1, "2027-01"), (2, "2027-02")]
    assert all(UTC_TIME.match(r["started"]) and UTC_TIME.match(r["finished"]) for r in runs)
    assert runs[0]["plans"] == ["ae-usage:v1"]
    rows = list(csv.DictReader(cycle("runs", "--format", "csv").out.splitlines()))
    assert rows[0]["started"] == runs[0]["started"] and rows[0]["plans"] == "ae-usage:v1"
    table = cycle("status").out.splitlines()
    assert table[0].split()[:4] == ["period", "state", "stale", "last_run"]
    started = datetime.fromisoformat(runs[0]["started"])
    assert abs(datetime.now(UTC) - started) < timedelta(minutes=10)


def test_empty_reports_say_so_and_csv_still_has_its_header(acme):
    assert acme("status").out.strip() == "no period has been run yet"
    assert acme("runs", "--format", "csv").out.strip() == (
        "run,period,started,finished,by,lines,total,unassigned,plans,fingerprint"
    )
    assert as_json(acme, "runs") == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("explain", "--payee", "nobody", "--period", "2027-01"),
            "--payee: unknown payee 'nobody'",
        ),
        (
            ("explain", "--payee", "ae1", "--period", "2027-13"),
            "--period: '2027-13' is not a month",
        ),
        (("payouts", "--period", "27-01"), "--period: '27-01' is not a month"),
        (("payouts", "--period", "\uff12\uff10\uff12\uff17-01"), "is not a month"),
    ],
)
def test_explain_and_payouts_refuse_an_unknown_payee_or_a_malformed_period(
    acme, db_url, args, message
):
    run(acme, "2027-01")
    refused(acme, db_url, *args, message=message)


def test_explain_a_known_payee_without_lines_says_so(acme):
    run(acme, "2027-01")
    result = acme("explain", "--payee", "csm1", "--period", "2027-01")
    assert (result.code, result.out.strip()) == (0, "csm1 has no payout lines in 2027-01")
