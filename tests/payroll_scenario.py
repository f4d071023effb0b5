"""The spec's worked example with earnings codes, two locked periods, adjustments and a
hold: what payroll pulls, as the cycle, the CLI and the API tests see it.

2027-01 (locked): Ada (ae1) earns the first purchase (500.00, code BONUS-FP) and ramp
70.00 (code COMM); two adjustments of hers (+10.00, -2.50) make one `adjustment` row of
7.50. Carl (csm1) has an adjustment of 25.00 but is on hold: nothing of his is paid.
2027-02 (locked): Ada's ramp 140.00; Carl's held 25.00 caught up (code `adjustment`).
2027-03 is calculated, not locked.
"""

from __future__ import annotations

from pathlib import Path

from tests.cycles.conftest import DATA

WORKED_PLAN = (DATA / "plan.yaml").read_text(encoding="utf-8")
CODED_PLAN = WORKED_PLAN.replace(
    "    payout: {flat: 500}", "    earnings_code: BONUS-FP\n    payout: {flat: 500}"
).replace("    curve: linear", "    earnings_code: COMM\n    curve: linear")

PERIOD_1_ROWS = [
    ("ae1", "Ada Evans", "ada.evans@example.com", "BONUS-FP", 50_000),
    ("ae1", "Ada Evans", "ada.evans@example.com", "COMM", 7_000),
    ("ae1", "Ada Evans", "ada.evans@example.com", "adjustment", 750),
]
PERIOD_2_ROWS = [
    ("ae1", "Ada Evans", "ada.evans@example.com", "COMM", 14_000),
    ("csm1", "Carl Stone", "carl.stone@example.com", "adjustment", 2_500),
]
PERIOD_1_CSV = (
    "payee_id,name,email,earnings_code,amount\n"
    "ae1,Ada Evans,ada.evans@example.com,BONUS-FP,500.00\n"
    "ae1,Ada Evans,ada.evans@example.com,COMM,70.00\n"
    "ae1,Ada Evans,ada.evans@example.com,adjustment,7.50\n"
)


def write_coded_plan(folder: Path) -> Path:
    assert CODED_PLAN.count("earnings_code") == 2
    path = folder / "plans" / "ae-usage.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(CODED_PLAN, encoding="utf-8")
    return path


def _ok(cli, *args: object) -> None:
    result = cli(*args)
    assert result.code == 0, result.err


def build_payroll_periods(cli, folder: Path) -> Path:
    """init, load, and the three periods above; returns the plan file."""
    plan = write_coded_plan(folder)
    _ok(cli, "init")
    _ok(cli, "load", DATA)
    _ok(cli, "run", "--period", "2027-01", "--plans", plan)
    for payee, amount, reason in (
        ("ae1", "10.00", "spiff"),
        ("ae1", "-2.50", "correction"),
        ("csm1", "25.00", "referral"),
    ):
        _ok(
            cli, "adjust", "--payee", payee, "--period", "2027-01", "--amount", amount,
            "--reason", reason,
        )  # fmt: skip
    _ok(cli, "hold", "--payee", "csm1", "--period", "2027-01", "--reason", "missing timesheet")
    for period in ("2027-01", "2027-02"):
        if period != "2027-01":
            _ok(cli, "run", "--period", period, "--plans", plan)
        _ok(cli, "approve", "--period", period)
        _ok(cli, "lock", "--period", period)
    _ok(cli, "run", "--period", "2027-03", "--plans", plan)
    return plan
