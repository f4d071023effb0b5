"""Spec section 1's limits on plan numbers, nesting and ids: each a located problem, never a
crash, an overflow or a run that eats memory."""

from __future__ import annotations

from compengine.cli import main

HEADER = """\
plan: ae-usage
version: 1
effective: {from: 2027-01}
lifecycle: {window_months: 6}
components:
"""


def test_version_is_at_most_a_million(problems):
    assert problems(
        HEADER.replace("version: 1", "version: 99999999999999999999999")
        + ("  - {id: grow, type: expansion, role: AE, rate: 0.04}\n")
    ) == ["plan.yaml:2: version: must be at most 1,000,000 (is 99999999999999999999999)"]
    assert problems(
        HEADER.replace("version: 1", "version: 1000001")
        + ("  - {id: grow, type: expansion, role: AE, rate: 0.04}\n")
    ) == ["plan.yaml:2: version: must be at most 1,000,000 (is 1000001)"]


def test_months_are_at_most_1200(problems):
    text = HEADER.replace("window_months: 6", "window_months: 100000000, baseline_months: 1201")
    text += (
        "  - id: first\n"
        "    type: first_purchase\n"
        "    role: AE\n"
        "    payout: {flat: 500}\n"
        "    clawback: {within_months: 99999999999999999999, churn_months: 1201}\n"
        "  - {id: keep, type: sustained_usage, role: CSM, rate: 0.02, duration_months: 1201}\n"
    )
    assert problems(text) == [
        "plan.yaml:4: lifecycle.window_months: must be at most 1,200 (is 100000000)",
        "plan.yaml:4: lifecycle.baseline_months: must be at most 1,200 (is 1201)",
        "plan.yaml:10: components[0].clawback.within_months: must be at most 1,200 "
        "(is 99999999999999999999)",
        "plan.yaml:10: components[0].clawback.churn_months: must be at most 1,200 (is 1201)",
        "plan.yaml:11: components[1].duration_months: must be at most 1,200 (is 1201)",
    ]


def test_1200_months_and_version_1000000_are_accepted(write_plan):
    from compengine.plan.load import load_plans

    text = (
        HEADER.replace("version: 1", "version: 1000000").replace(
            "window_months: 6", "window_months: 1200, baseline_months: 1200"
        )
        + "  - {id: keep, type: sustained_usage, role: CSM, rate: 0.02, duration_months: 1200}\n"
    )
    (plan,) = load_plans([write_plan(text)])
    assert (plan.version, plan.lifecycle.window_months) == (1_000_000, 1200)


def test_money_has_at_most_13_whole_digits_and_rates_12_places(problems):
    text = HEADER + (
        "  - id: first\n"
        "    type: first_purchase\n"
        "    role: AE\n"
        "    payout: {flat: 12345678901234567890123456}\n"
        "  - id: ramp\n"
        "    type: ramp_realization\n"
        "    role: AE\n"
        "    rate: 0.0000000000001\n"
        "    cap: 99999999999999\n"
        "    bonus: {attainment_at_least: 1, amount: 10000000000000}\n"
    )
    assert problems(text) == [
        "plan.yaml:9: components[0].payout.flat: '12345678901234567890123456' has more than "
        "13 digits before the point",
        "plan.yaml:13: components[1].rate: '0.0000000000001' has more than 12 decimal places",
        "plan.yaml:14: components[1].cap: '99999999999999' has more than 13 digits before "
        "the point",
        "plan.yaml:15: components[1].bonus.amount: '10000000000000' has more than 13 digits "
        "before the point",
    ]


def test_digits_of_other_scripts_are_not_numbers(problems):
    arabic_one, arabic_period = "\u0661", "\u0662\u0660\u0662\u0667-\u0660\u0661"
    text = HEADER.replace("version: 1", f"version: {arabic_one}").replace("2027-01", arabic_period)
    text += "  - {id: grow, type: expansion, role: AE, rate: \uff10.04}\n"
    problems_found = problems(text)
    assert problems_found[0] == f"plan.yaml:2: version: must be a whole number, not '{arabic_one}'"
    assert problems_found[1].startswith("plan.yaml:3: effective.from: ")
    assert problems_found[2] == (
        "plan.yaml:6: components[0].rate: '\uff10.04' is not a plain decimal number"
    )
    assert len(problems_found) == 3


def test_500_deep_nesting_is_a_located_problem_not_a_crash(write_plan, capsys):
    path = write_plan(HEADER + "  - " + "[" * 500 + "]" * 500 + "\n")
    assert main(["plan", "check", path]) == 1
    out, err = capsys.readouterr()
    assert (out, err) == ("", "plan.yaml:6: nests deeper than 20 levels\n")


def test_20_levels_are_allowed_21_are_not(problems):
    def nested(levels: int) -> str:
        # the top mapping, components, then lists inside the component's curve
        inner = levels - 3
        return (
            HEADER
            + "  - {id: ramp, type: ramp_realization, role: AE, rate: 0.05, curve: "
            + ("[" * inner + "]" * inner)
            + "}\n"
        )

    assert "nests deeper" not in " ".join(problems(nested(20)))
    assert problems(nested(21)) == ["plan.yaml:6: nests deeper than 20 levels"]


def test_compengine_own_component_ids_are_reserved(problems):
    text = HEADER + (
        "  - {id: adjustment, type: expansion, role: AE, rate: 0.04}\n"
        "  - {id: adjustment-catch-up, type: first_purchase, role: AE, payout: {flat: 500}}\n"
    )
    assert problems(text) == [
        "plan.yaml:6: components[0].id: 'adjustment' is reserved for compengine's own lines",
        "plan.yaml:7: components[1].id: 'adjustment-catch-up' is reserved for compengine's own "
        "lines",
    ]


def test_ids_that_a_spreadsheet_would_run_or_a_terminal_obey_are_refused(problems):
    text = HEADER + (
        '  - {id: "=HYPERLINK(1)", type: expansion, role: AE, rate: 0.04}\n'
        '  - {id: keep, type: sustained_usage, role: "CSM\\e[2J", rate: 0.02}\n'
        f"  - {{id: {'x' * 201}, type: first_purchase, role: AE, payout: {{flat: 5}}}}\n"
    )
    assert problems(text) == [
        "plan.yaml:6: components[0].id: '=HYPERLINK(1)' must not begin with =, +, -, @",
        "plan.yaml:7: components[1].role: must not contain control characters",
        "plan.yaml:8: components[2].id: is longer than 200 characters",
    ]
