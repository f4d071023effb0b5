"""One file, several versions of its plan: YAML documents separated by `---` (spec section 3)."""

from __future__ import annotations

from fractions import Fraction

from compengine.plan.load import load_plans

HISTORY = """\
# AE plan: its history in one file
plan: ae-usage
version: 1
effective: {from: 2027-01, to: 2027-06}
lifecycle: {window_months: 6}
components:
  - {id: grow, type: expansion, role: AE, rate: 0.04}
---
plan: ae-usage
version: 2
effective: {from: 2027-07}
lifecycle: {window_months: 6}
components:
  - {id: grow, type: expansion, role: AE, rate: 0.05}
"""


def test_each_document_is_a_version_of_the_plan(write_plan):
    plans = load_plans([write_plan(HISTORY)])
    assert [(p.version, p.effective_from, p.effective_to) for p in plans] == [
        (1, 24324, 24329),
        (2, 24330, None),
    ]
    assert [p.components[0].rate for p in plans] == [Fraction(4, 100), Fraction(5, 100)]
    assert {p.source for p in plans} == {"plan.yaml"}


def test_a_leading_and_a_trailing_separator_are_allowed(write_plan):
    assert len(load_plans([write_plan("---\n" + HISTORY + "---\n")])) == 2


def test_problems_in_a_later_document_name_their_line_in_the_file(problems):
    assert problems(HISTORY.replace("rate: 0.05", "rate: -0.05")) == [
        "plan.yaml:14: components[0].rate: must not be negative (is -0.05)",
    ]


def test_versions_in_one_file_must_not_overlap(problems):
    assert problems(HISTORY.replace("{from: 2027-07}", "{from: 2027-06}")) == [
        "plan.yaml:11: effective: ae-usage v2 (2027-06..) overlaps v1 (2027-01..2027-06) in "
        "plan.yaml:4: only one version of a plan may be in force in a month",
    ]


def test_the_same_version_twice_in_one_file_is_rejected(problems):
    assert problems(HISTORY.replace("version: 2", "version: 1")) == [
        "plan.yaml:10: version: ae-usage v1 is also defined in plan.yaml:3",
    ]


def test_a_component_keeps_its_type_across_the_documents(problems):
    assert problems(
        HISTORY.replace(
            "type: expansion, role: AE, rate: 0.05", "type: sustained_usage, role: AE, rate: 0.05"
        )
    ) == [
        "plan.yaml:14: components[0].type: component 'grow' is expansion in v1 (plan.yaml:7): "
        "a component id keeps its type across versions",
    ]


def test_one_file_holds_one_plan(problems):
    assert problems(
        HISTORY.replace("plan: ae-usage\nversion: 2", "plan: csm-usage\nversion: 2")
    ) == [
        "plan.yaml:9: plan: is 'csm-usage', but this file holds plan 'ae-usage' (line 2): "
        "one plan per file, its versions as documents",
    ]


def test_a_syntax_error_in_a_later_document_names_its_line(problems):
    assert problems(HISTORY + "---\nplan: [\n") == [
        "plan.yaml:17: YAML syntax error: expected the node content, but found '<stream end>' "
        "(while parsing a flow node)",
    ]
