"""`earnings_code` (spec section 3): the code payroll books a component's amounts under."""

from __future__ import annotations

from textwrap import dedent

import pytest

from compengine.plan.load import load_plans
from compengine.plan.model import earnings_code

HEADER = """\
plan: ae-usage
version: 1
effective: {from: 2027-01}
lifecycle: {window_months: 6}
components:
"""


def _components(write_plan, body: str):
    (plan,) = load_plans([write_plan(HEADER + dedent(body))])
    return {component.id: component for component in plan.components}


def test_the_code_defaults_to_the_component_id(write_plan):
    components = _components(
        write_plan,
        """\
          - {id: first-purchase, type: first_purchase, role: AE, payout: {flat: 500}}
          - {id: ramp, type: ramp_realization, role: AE, rate: 0.05, earnings_code: COMM-2027}
        """,
    )
    assert components["first-purchase"].earnings_code is None
    assert earnings_code(components["first-purchase"]) == "first-purchase"
    assert earnings_code(components["ramp"]) == "COMM-2027"


@pytest.mark.parametrize("code", ["100", "0100", "E_10", "a", "x" * 64, "true"])
def test_any_component_type_takes_a_code_as_written(write_plan, code):
    components = _components(
        write_plan,
        f"""\
          - {{id: fp, type: first_purchase, role: AE, payout: {{flat: 1}}, earnings_code: {code}}}
          - {{id: ramp, type: ramp_realization, role: AE, rate: 0.05, earnings_code: {code}}}
          - {{id: keep, type: sustained_usage, role: CSM, rate: 0.02, earnings_code: {code}}}
          - {{id: grow, type: expansion, role: AE, rate: 0.04, earnings_code: {code}}}
        """,
    )
    assert {earnings_code(c) for c in components.values()} == {code}


CHARACTERS = "must be letters, digits, '-' and '_' only, starting with a letter or digit"


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("COMM 1", "'COMM 1' " + CHARACTERS),
        ("-COMM", "'-COMM' " + CHARACTERS),
        ("'=SUM(A1)'", "'=SUM(A1)' " + CHARACTERS),
        ("'../x'", "'../x' " + CHARACTERS),
        ("prämie", "'prämie' " + CHARACTERS),
        ("x" * 65, "is longer than 64 characters"),
        ("''", "must not be empty"),
        ("", "must be a text value, but is empty"),
        ("[COMM]", "must be a text value, but is a list"),
        ("adjustment", "'adjustment' is the earnings code of manual adjustments"),
        ("Adjustment", "'Adjustment' is the earnings code of manual adjustments"),
    ],
)
def test_a_bad_code_is_reported_at_its_line(problems, written, message):
    assert problems(
        HEADER
        + dedent(f"""\
          - id: ramp
            type: ramp_realization
            role: AE
            rate: 0.05
            earnings_code: {written}
        """)
    ) == [f"plan.yaml:10: components[0].earnings_code: {message}"]


def test_every_bad_code_is_reported_in_one_pass(problems):
    assert problems(
        HEADER
        + dedent("""\
          - {id: a, type: expansion, role: AE, rate: 0.04, earnings_code: "a b"}
          - {id: b, type: expansion, role: AM, rate: 0.04, earnings_code: adjustment}
        """)
    ) == [
        f"plan.yaml:6: components[0].earnings_code: 'a b' {CHARACTERS}",
        "plan.yaml:7: components[1].earnings_code: "
        "'adjustment' is the earnings code of manual adjustments",
    ]


def test_two_components_may_share_a_code(write_plan):
    components = _components(
        write_plan,
        """\
          - {id: fp, type: first_purchase, role: AE, payout: {flat: 1}, earnings_code: COMM}
          - {id: grow, type: expansion, role: AE, rate: 0.04, earnings_code: COMM}
        """,
    )
    assert earnings_code(components["fp"]) == earnings_code(components["grow"]) == "COMM"
