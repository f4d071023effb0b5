"""Versions of one plan id must fit together across all the files given."""

from __future__ import annotations

from compengine.plan.load import load_plans

V1 = """\
plan: ae-usage
version: 1
effective: {from: 2027-01, to: 2027-06}
lifecycle: {window_months: 6}
components:
  - {id: grow, type: expansion, role: AE, rate: 0.04}
"""


def test_versions_that_follow_each_other_load_in_file_order(write_plan):
    write_plan(V1, "plans/ae-v1.yaml")
    write_plan(
        V1.replace("version: 1", "version: 2").replace(
            "{from: 2027-01, to: 2027-06}", "{from: 2027-07}"
        ),
        "plans/ae-v2.yml",
    )
    write_plan("not a plan", "plans/notes.txt")
    plans = load_plans(["plans"])
    assert [(plan.source, plan.version) for plan in plans] == [
        ("plans/ae-v1.yaml", 1),
        ("plans/ae-v2.yml", 2),
    ]


def test_a_file_given_twice_is_read_once(write_plan):
    path = write_plan(V1, "plans/ae.yaml")
    assert [plan.source for plan in load_plans([path, "plans", "./plans/ae.yaml"])] == [path]


def test_the_same_version_in_two_files_names_the_first(write_plan, problems_of):
    first = write_plan(V1, "a.yaml")
    second = write_plan(V1, "b.yaml")
    assert problems_of([first, second]) == [
        "b.yaml:2: version: ae-usage v1 is also defined in a.yaml:2",
    ]


def test_overlapping_versions_name_both_files(write_plan, problems_of):
    first = write_plan(V1, "a.yaml")
    second = write_plan(
        V1.replace("version: 1", "version: 2").replace(
            "{from: 2027-01, to: 2027-06}", "{from: 2027-06}"
        ),
        "b.yaml",
    )
    assert problems_of([first, second]) == [
        "b.yaml:3: effective: ae-usage v2 (2027-06..) overlaps v1 (2027-01..2027-06) in a.yaml:3: "
        "only one version of a plan may be in force in a month",
    ]


def test_an_open_ended_earlier_version_overlaps_every_later_one(write_plan, problems_of):
    open_ended = write_plan(V1.replace("{from: 2027-01, to: 2027-06}", "{from: 2027-01}"), "a.yaml")
    later = write_plan(
        V1.replace("version: 1", "version: 2").replace(
            "{from: 2027-01, to: 2027-06}", "{from: 2028-01, to: 2028-12}"
        ),
        "b.yaml",
    )
    assert problems_of([open_ended, later]) == [
        "b.yaml:3: effective: ae-usage v2 (2028-01..2028-12) overlaps v1 (2027-01..) in a.yaml:3: "
        "only one version of a plan may be in force in a month",
    ]


def test_a_component_id_keeps_its_type_across_versions(write_plan, problems_of):
    first = write_plan(V1, "a.yaml")
    second = write_plan(
        V1.replace("version: 1", "version: 2")
        .replace("{from: 2027-01, to: 2027-06}", "{from: 2027-07}")
        .replace("type: expansion", "type: sustained_usage"),
        "b.yaml",
    )
    assert problems_of([first, second]) == [
        "b.yaml:6: components[0].type: component 'grow' is expansion in v1 (a.yaml:6): "
        "a component id keeps its type across versions",
    ]


def test_all_plans_pay_in_one_currency(write_plan, problems_of):
    dollars = write_plan(V1, "a.yaml")
    euros = write_plan(V1.replace("plan: ae-usage", "plan: csm-sustain\ncurrency: EUR"), "b.yaml")
    assert problems_of([dollars, euros]) == [
        "b.yaml:2: currency: is EUR, but ae-usage v1 (a.yaml:1) is USD: "
        "a deployment pays in one currency",
    ]


def test_conflicts_between_files_are_found_even_when_a_file_has_other_problems(
    write_plan,
    problems_of,
):
    first = write_plan(V1, "a.yaml")
    second = write_plan(V1.replace("rate: 0.04", "rate: -0.04"), "b.yaml")
    assert problems_of([first, second]) == [
        "b.yaml:2: version: ae-usage v1 is also defined in a.yaml:2",
        "b.yaml:6: components[0].rate: must not be negative (is -0.04)",
    ]


def test_missing_paths_and_empty_folders_are_problems_too(write_plan, problems_of, tmp_path):
    good = write_plan(V1, "a.yaml")
    (tmp_path / "empty").mkdir()
    assert problems_of(["nowhere.yaml", "empty", good, "also-missing"]) == [
        "nowhere.yaml: no such file or folder",
        "empty: folder holds no *.yaml plan file",
        "also-missing: no such file or folder",
    ]
