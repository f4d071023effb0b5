"""Each mistake a sales-ops author can make in one plan file, reported at `file:line: field:`."""

from __future__ import annotations

from textwrap import dedent

HEADER = """\
plan: ae-usage
version: 1
effective: {from: 2027-01}
lifecycle: {window_months: 6}
components:
"""


def test_a_yaml_syntax_error_names_its_line(problems):
    assert problems("""\
        plan: ae-usage
        version: 1
          effective: {from: 2027-01}
        """) == ["plan.yaml:3: YAML syntax error: mapping values are not allowed here"]


def test_an_empty_file_is_not_a_plan(problems):
    assert problems("") == [
        "plan.yaml:1: the file is empty: expected a plan (plan: ..., version: ..., ...)",
    ]


def test_unknown_keys_are_rejected_at_every_level(problems):
    assert problems(
        HEADER
        + dedent("""\
          - id: ramp
            type: ramp_realization
            role: AE
            tiers:
              rates:
                - {from: 0, rate: 0.03, upto: 1}
            bonus: {attainment_at_least: 1, amount: 10, every_month: true}
            curve: linear
            cap: 100
            rate: 0.05
            rates: 0.05
        owner: sales-ops
        """)
    ) == [
        "plan.yaml:11: components[0].tiers.rates[0].upto: "
        "unknown key (expected one of: from, rate)",
        "plan.yaml:12: components[0].bonus.every_month: unknown key "
        "(expected one of: attainment_at_least, amount)",
        "plan.yaml:16: components[0].rates: not a key of ramp_realization components "
        "(expected one of: id, type, role, curve, rate, tiers, cap, bonus, earnings_code)",
        "plan.yaml:17: owner: unknown key (expected one of: plan, version, name, currency, "
        "effective, scope, lifecycle, components)",
    ]


def test_a_key_given_twice_is_rejected(problems):
    assert problems(
        HEADER
        + dedent("""\
          - id: grow
            type: expansion
            role: AE
            rate: 0.04
            rate: 0.05
        """)
    ) == ["plan.yaml:10: components[0].rate: given twice (first on line 9)"]


def test_wrong_types_are_rejected(problems):
    assert problems("""\
        plan: [ae-usage]
        version: "1"
        effective: 2027-01
        lifecycle: {window_months: 6.5}
        components:
          - {id: grow, type: expansion, role: {name: AE}, rate: [0.04]}
        """) == [
        "plan.yaml:1: plan: must be a text value, but is a list",
        "plan.yaml:2: version: must be a whole number, not a quoted text ('1')",
        "plan.yaml:3: effective: must be a mapping (from: YYYY-MM, to: YYYY-MM), but is '2027-01'",
        "plan.yaml:4: lifecycle.window_months: must be a whole number, not '6.5'",
        "plan.yaml:6: components[0].role: must be a text value, but is a mapping",
        "plan.yaml:6: components[0].rate: must be a number, but is a list",
    ]


def test_components_must_be_a_non_empty_list(problems):
    assert problems("""\
        plan: ae-usage
        version: 1
        effective: {from: 2027-01}
        lifecycle: {window_months: 6}
        components: []
        """) == ["plan.yaml:5: components: must be a list of components, but is an empty list"]


def test_an_unknown_component_type_is_named(problems):
    assert problems(
        HEADER
        + dedent("""\
          - {id: spiff, type: spiff, role: AE, rate: 0.1}
        """)
    ) == [
        "plan.yaml:6: components[0].type: unknown component type 'spiff' "
        "(one of: first_purchase, ramp_realization, sustained_usage, expansion)",
    ]


def test_duplicate_component_ids_point_at_the_first(problems):
    assert problems(
        HEADER
        + dedent("""\
          - {id: grow, type: expansion, role: AE, rate: 0.04}
          - {id: grow, type: sustained_usage, role: CSM, rate: 0.02}
        """)
    ) == ["plan.yaml:7: components[1].id: duplicate component id 'grow' (first on line 6)"]


def test_two_components_crediting_one_role_for_one_type_are_rejected(problems):
    assert problems(
        HEADER
        + dedent("""\
          - {id: grow, type: expansion, role: AE, rate: 0.04}
          - {id: grow-more, type: expansion, role: AE, rate: 0.01}
        """)
    ) == [
        "plan.yaml:7: components[1].type: AE is already credited for expansion by component "
        "'grow' (line 6); a run refuses to add the two up",
    ]


def test_missing_top_level_keys_are_reported_at_the_mapping(problems):
    assert problems("""\
        name: nameless
        effective: {}
        lifecycle: {baseline_months: 3}
        """) == [
        "plan.yaml:1: plan: is required",
        "plan.yaml:1: version: is required",
        "plan.yaml:1: components: is required",
        "plan.yaml:2: effective.from: is required",
        "plan.yaml:3: lifecycle.window_months: is required",
    ]


def test_missing_component_keys_are_reported_at_the_component(problems):
    assert problems(
        HEADER
        + dedent("""\
          - {type: expansion, rate: 0.04}
          - {id: won, type: first_purchase, role: AE}
          - {id: keep, type: sustained_usage, role: CSM}
          - {id: grow, type: expansion, role: AM}
          - {id: ramp, type: ramp_realization, role: AE, curve: flat}
          - {id: anything, role: AE}
        """)
    ) == [
        "plan.yaml:6: components[0].id: is required",
        "plan.yaml:6: components[0].role: is required",
        "plan.yaml:7: components[1].payout: is required",
        "plan.yaml:8: components[2].rate: is required",
        "plan.yaml:9: components[3].rate: is required",
        "plan.yaml:10: components[4].rate: a ramp_realization component needs rate or tiers",
        "plan.yaml:11: components[5].type: is required",
    ]


def test_a_first_purchase_payout_is_either_flat_or_rate(problems):
    assert problems(
        HEADER
        + dedent("""\
          - {id: won, type: first_purchase, role: AE, payout: {flat: 500, rate: 0.5}}
          - {id: won-am, type: first_purchase, role: AM, payout: {of: commit_monthly}}
          - {id: won-se, type: first_purchase, role: SE, payout: {rate: 0.5, of: arr}}
        """)
    ) == [
        "plan.yaml:6: components[0].payout: give either flat or rate, not both",
        "plan.yaml:7: components[1].payout: needs flat (an amount) or rate (x commit_monthly)",
        "plan.yaml:8: components[2].payout.of: the only allowed value is commit_monthly",
    ]


def test_a_plan_id_is_lowercase_letters_digits_and_dashes(problems):
    assert problems(
        HEADER.replace("ae-usage", "AE_usage")
        + dedent("""\
          - {id: grow, type: expansion, role: AE, rate: 0.04}
        """)
    ) == ["plan.yaml:1: plan: 'AE_usage' is not a plan id: use a-z, 0-9 and '-'"]


def test_months_are_written_yyyy_mm(problems):
    assert problems(
        HEADER.replace("{from: 2027-01}", "{from: 2027-1, to: 2027-13}")
        + dedent("""\
          - {id: grow, type: expansion, role: AE, rate: 0.04}
        """)
    ) == [
        "plan.yaml:3: effective.from: '2027-1' is not a month (YYYY-MM)",
        "plan.yaml:3: effective.to: '2027-13' is not a month (YYYY-MM)",
    ]


def test_effective_to_may_not_be_before_from(problems):
    assert problems(
        HEADER.replace("{from: 2027-01}", "{from: 2027-01, to: 2026-12}")
        + dedent("""\
          - {id: grow, type: expansion, role: AE, rate: 0.04}
        """)
    ) == ["plan.yaml:3: effective.to: is before effective.from 2027-01"]


def test_tiers_start_at_zero_and_increase_strictly(problems):
    assert problems(
        HEADER
        + dedent("""\
          - id: ramp
            type: ramp_realization
            role: AE
            tiers:
              mode: stepped
              rates:
                - {from: 0.5, rate: 0.03}
                - {from: 1.0, rate: 0.06}
                - {from: 1.00, rate: 0.08}
        """)
    ) == [
        "plan.yaml:10: components[0].tiers.mode: must be marginal or whole, not 'stepped'",
        "plan.yaml:12: components[0].tiers.rates[0].from: the first tier must start at 0",
        "plan.yaml:14: components[0].tiers.rates[2].from: "
        "must be greater than the previous tier's from (1.0)",
    ]


def test_negative_rates_and_amounts_are_rejected(problems):
    assert problems(
        HEADER
        + dedent("""\
          - {id: won, type: first_purchase, role: AE, payout: {flat: -500}}
          - id: ramp
            type: ramp_realization
            role: AE
            tiers: {rates: [{from: 0, rate: -0.03}]}
            cap: -1
            bonus: {attainment_at_least: -1, amount: -10}
          - {id: keep, type: sustained_usage, role: CSM, rate: -0.02, min_retention: -0.9}
          - {id: grow, type: expansion, role: AE, rate: 0.04, threshold: -0.1}
        """)
    ) == [
        "plan.yaml:6: components[0].payout.flat: must not be negative (is -500.00)",
        "plan.yaml:10: components[1].tiers.rates[0].rate: must not be negative (is -0.03)",
        "plan.yaml:11: components[1].cap: must not be negative (is -1.00)",
        "plan.yaml:12: components[1].bonus.attainment_at_least: must not be negative (is -1)",
        "plan.yaml:12: components[1].bonus.amount: must not be negative (is -10.00)",
        "plan.yaml:13: components[2].rate: must not be negative (is -0.02)",
        "plan.yaml:13: components[2].min_retention: must not be negative (is -0.9)",
        "plan.yaml:14: components[3].threshold: must not be negative (is -0.1)",
    ]


def test_numbers_are_plain_decimals_and_money_has_two_places(problems):
    assert problems(
        HEADER
        + dedent("""\
          - {id: won, type: first_purchase, role: AE, payout: {flat: 500.005}}
          - {id: grow, type: expansion, role: AE, rate: 5e-2, threshold: .1}
          - {id: keep, type: sustained_usage, role: CSM, rate: "0.02"}
        """)
    ) == [
        "plan.yaml:6: components[0].payout.flat: '500.005' is not a money amount "
        "(a decimal with at most 2 places)",
        "plan.yaml:7: components[1].rate: '5e-2' is not a plain decimal number",
        "plan.yaml:7: components[1].threshold: '.1' is not a plain decimal number",
        "plan.yaml:8: components[2].rate: must be a number, not a quoted text ('0.02')",
    ]


def test_a_curve_is_linear_flat_or_one_positive_fraction_per_window_month(problems):
    assert problems(
        HEADER
        + dedent("""\
          - {id: ramp, type: ramp_realization, role: AE, rate: 0.05, curve: steep}
          - id: ramp-am
            type: ramp_realization
            role: AM
            rate: 0.05
            curve: [0.2, 0.4, 0, 1, -1]
        """)
    ) == [
        "plan.yaml:6: components[0].curve: "
        "must be linear, flat or a list of window_months fractions, but is 'steep'",
        "plan.yaml:11: components[1].curve[2]: must be greater than 0 (is 0)",
        "plan.yaml:11: components[1].curve[4]: must be greater than 0 (is -1)",
        "plan.yaml:11: components[1].curve: lists 5 values, but lifecycle.window_months is 6",
    ]


def test_window_and_baseline_months_are_in_range(problems):
    too_long = HEADER.replace("{window_months: 6}", "{window_months: 6, baseline_months: 7}")
    none = HEADER.replace("{window_months: 6}", "{window_months: 0, baseline_months: 0}")
    component = "  - {id: grow, type: expansion, role: AE, rate: 0.04}\n"
    assert problems(too_long + component) == [
        "plan.yaml:4: lifecycle.baseline_months: must not exceed lifecycle.window_months (6)",
    ]
    assert problems(none + component) == [
        "plan.yaml:4: lifecycle.window_months: must be at least 1 (is 0)",
        "plan.yaml:4: lifecycle.baseline_months: must be at least 1 (is 0)",
    ]


def test_clawback_months_are_in_range(problems):
    assert problems(
        HEADER
        + dedent("""\
          - id: won
            type: first_purchase
            role: AE
            payout: {flat: 500}
            clawback: {within_months: 0, churn_months: 0}
          - id: won-am
            type: first_purchase
            role: AM
            payout: {flat: 500}
            clawback: {within_months: 2, churn_months: 3}
        """)
    ) == [
        "plan.yaml:10: components[0].clawback.within_months: must be at least 1 (is 0)",
        "plan.yaml:10: components[0].clawback.churn_months: must be at least 1 (is 0)",
        "plan.yaml:15: components[1].clawback.churn_months: must not exceed within_months (2)",
    ]


def test_scope_names_account_fields_and_text_values(problems):
    assert problems("""\
        plan: ae-usage
        version: 1
        effective: {from: 2027-01}
        lifecycle: {window_months: 6}
        scope:
          country: US
          segment: {a: b}
          region: [emea, [apac]]
          name: []
        components:
          - {id: grow, type: expansion, role: AE, rate: 0.04}
        """) == [
        "plan.yaml:6: scope.country: not an account field "
        "(expected one of: account_id, name, parent_id, segment, region)",
        "plan.yaml:7: scope.segment: must be a text value, but is a mapping",
        "plan.yaml:8: scope.region[1]: must be a text value, but is a list",
        "plan.yaml:9: scope.name: lists no values, so it would match no account",
    ]


def test_a_sustained_usage_duration_is_at_least_one_month(problems):
    assert problems(
        HEADER
        + dedent("""\
          - {id: keep, type: sustained_usage, role: CSM, rate: 0.02, duration_months: 0}
        """)
    ) == ["plan.yaml:6: components[0].duration_months: must be at least 1 (is 0)"]


def test_every_problem_of_a_file_is_reported_in_one_pass(problems):
    found = problems("""\
        plan: AE usage
        version: 0
        effective: {from: 2027-01, to: 2026-01}
        lifecycle: {window_months: 6, baseline_months: 9}
        components:
          - {id: won, type: first_purchase, role: AE}
          - {id: won, type: bonus, role: AE}
          - {id: grow, type: expansion, role: AE, rate: -0.04}
        """)
    assert [problem.split(": ")[0] for problem in found] == [
        "plan.yaml:1",
        "plan.yaml:2",
        "plan.yaml:3",
        "plan.yaml:4",
        "plan.yaml:6",
        "plan.yaml:7",
        "plan.yaml:7",
        "plan.yaml:8",
    ]
    assert found[1] == "plan.yaml:2: version: must be at least 1 (is 0)"
    assert (
        found[5] == "plan.yaml:7: components[1].type: unknown component type 'bonus' "
        "(one of: first_purchase, ramp_realization, sustained_usage, expansion)"
    )
