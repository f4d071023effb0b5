"""The vectorized engine agrees with the Fraction reference to the cent, on random inputs.

Spec section 4: "A fast implementation may use any representation ... as long as it
agrees with a plain Fraction-based reference to the cent on every input." Each example
is a random scenario and a cycle of periods; both sides keep their own record of what
was paid, as the product does, and every step must match line for line.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from fractions import Fraction

import pandas as pd
from hypothesis import assume, given, settings

from compengine.calc.errors import ConfigurationError
from compengine.calc.snapshot import (
    ACCOUNT_COLUMNS,
    ASSIGNMENT_COLUMNS,
    CONTRACT_COLUMNS,
    END_MONTH_COLUMNS,
    USAGE_COLUMNS,
    LedgerSnapshot,
)
from compengine.months import format_period, last_day, month_of, parse_period
from compengine.results.payouts import calculate_period
from compengine.results.uncovered import uncovered_warnings
from tests.reference.fraction_reference import (
    Key,
    ReferenceResult,
    reference_cycle,
    round_half_away,
)
from tests.reference.scenario import Scenario
from tests.strategies import cycles

PAID_COLUMNS = ["payee_id", "plan_id", "component_id", "contract_id", "paid_cents"]
LINE_FIELDS = [
    "payee_id",
    "plan_id",
    "plan_version",
    "component_id",
    "contract_id",
    "account_id",
    "earned_to_date_cents",
    "amount_cents",
]


@dataclass
class Step:
    """What one run of a period produced, in a form both sides can be compared in."""

    period: str
    failed: bool
    lines: list[tuple]
    unassigned: dict[tuple[str, str, str, str], Fraction]
    uncovered: list[str]  # the run's warnings about usage no contract covers


# --- Adapter: a scenario as the engine's snapshot.


def decimal_text(value: Fraction) -> str:
    """'0.3333' for 3333/10000, '-0.01' for -1/100: the exact decimal text a CSV file holds."""
    places = 0
    while (value * 10**places).denominator != 1:
        places += 1
    scaled = abs(int(value * 10**places))
    sign = "-" if value < 0 else ""
    digits = (
        str(scaled) if places == 0 else f"{scaled // 10**places}.{scaled % 10**places:0{places}d}"
    )
    return sign + digits


def whole_cents(dollars: Fraction) -> int:
    cents = dollars * 100
    assert cents.denominator == 1, f"{dollars} has more than 2 places"
    return int(cents)


def end_month_usage(scenario: Scenario) -> pd.DataFrame:
    """What the database query gives: per contract ending before the last day of a month,
    its account's entries of that month dated through ends_on, summed per product."""
    summed: dict[tuple[str, str], int] = defaultdict(int)
    for contract in scenario.contracts:
        ends = contract.ends_on
        if ends is None or ends == last_day(month_of(ends)):
            continue
        for entry in scenario.usage:
            in_month = ends.replace(day=1) <= entry.date <= ends
            if entry.account_id == contract.account_id and in_month:
                summed[(contract.contract_id, entry.product)] += whole_cents(entry.amount)
    return pd.DataFrame(
        [(*key, amount) for key, amount in summed.items()], columns=END_MONTH_COLUMNS
    ).astype({"contract_id": object, "product": object, "amount_cents": "int64"})


def snapshot_of(scenario: Scenario) -> LedgerSnapshot:
    summed: dict[tuple[str, str, int], int] = defaultdict(int)
    for entry in scenario.usage:
        summed[(entry.account_id, entry.product, month_of(entry.date))] += whole_cents(entry.amount)
    usage = pd.DataFrame(
        [(*key, amount) for key, amount in summed.items()], columns=USAGE_COLUMNS
    ).astype({"month": "int64", "amount_cents": "int64"})
    return LedgerSnapshot(
        accounts=pd.DataFrame(
            [(a.account_id, a.name, a.parent_id, a.segment, a.region) for a in scenario.accounts],
            columns=ACCOUNT_COLUMNS,
            dtype=object,
        ),
        assignments=pd.DataFrame(
            [
                (a.account_id, a.payee_id, a.role, a.start, a.end, decimal_text(a.split))
                for a in scenario.assignments
            ],
            columns=ASSIGNMENT_COLUMNS,
            dtype=object,
        ),
        contracts=pd.DataFrame(
            [
                (
                    c.contract_id,
                    c.account_id,
                    c.signed_on,
                    whole_cents(c.commit_monthly),
                    ";".join(c.products),
                    c.ends_on,
                )
                for c in scenario.contracts
            ],
            columns=CONTRACT_COLUMNS,
            dtype=object,
        ),
        monthly_usage=usage,
        end_month_usage=end_month_usage(scenario),
    )


def paid_before_frame(paid: dict[Key, int]) -> pd.DataFrame:
    return pd.DataFrame(
        [(*key, amount) for key, amount in paid.items()], columns=PAID_COLUMNS
    ).astype({"paid_cents": "int64"})


# --- Both sides run as cycles, each keeping its own record of payouts.


def paid_before(recorded: dict[str, dict[Key, int]], period: str) -> dict[Key, int]:
    """Recorded payouts of the periods before `period`."""
    paid: dict[Key, int] = defaultdict(int)
    for earlier, payouts in recorded.items():
        if earlier < period:
            for key, amount in payouts.items():
                paid[key] += amount
    return dict(paid)


def engine_cycle(scenario: Scenario, periods: list[str]) -> list[Step]:
    recorded: dict[str, dict[Key, int]] = {}
    steps = []
    for step, period in enumerate(periods):
        snapshot = snapshot_of(scenario.ledger_at(step))
        paid = paid_before_frame(paid_before(recorded, period))
        try:
            result = calculate_period(snapshot, list(scenario.plans), parse_period(period), paid)
        except ConfigurationError:
            steps.append(Step(period, True, [], {}, []))
            continue
        lines = sorted(
            tuple(map(plain, row)) for row in result.lines[LINE_FIELDS].itertuples(index=False)
        )
        recorded[period] = {(ln[0], ln[1], ln[3], ln[4]): ln[7] for ln in lines}
        steps.append(
            Step(
                period,
                False,
                lines,
                engine_unassigned(result.unassigned),
                uncovered_only(result.warnings),
            )
        )
    return steps


def uncovered_only(warnings: list[str]) -> list[str]:
    return [w for w in warnings if w.startswith("usage not covered by any contract")]


def reference_uncovered(result: ReferenceResult) -> list[str]:
    """The reference's uncovered cells in the words of the run's warnings."""
    cells = sorted(result.uncovered.items())
    frame = pd.DataFrame(
        [(account, product, month, int(cents)) for (account, product, month), cents in cells],
        columns=USAGE_COLUMNS,
    )
    return uncovered_warnings(frame)


def plain(value: object) -> object:
    """A numpy scalar as the Python value it holds, so that lines compare as tuples."""
    return value.item() if hasattr(value, "item") else value


def engine_unassigned(frame: pd.DataFrame) -> dict[tuple[str, str, str, str], Fraction]:
    summed: dict[tuple[str, str, str, str], Fraction] = defaultdict(Fraction)
    for row in frame.itertuples(index=False):
        key = (row.contract_id, row.plan_id, row.component_id, format_period(int(row.month)))
        summed[key] += Fraction(row.amount)
    return {key: amount for key, amount in summed.items() if amount != 0}


def reference_steps(results: list[ReferenceResult]) -> list[Step]:
    return [
        Step(
            result.period,
            result.error is not None,
            sorted(tuple(getattr(line, name) for name in LINE_FIELDS) for line in result.lines),
            result.unassigned,
            reference_uncovered(result),
        )
        for result in results
    ]


def assert_same_steps(engine: list[Step], reference: list[Step]) -> None:
    for n, (ours, theirs) in enumerate(zip(engine, reference, strict=True)):
        where = f"step {n} (period {theirs.period})"
        assert ours.failed == theirs.failed, f"{where}: configuration error only on one side"
        assert ours.lines == theirs.lines, f"{where}: payout lines differ"
        assert ours.unassigned == theirs.unassigned, f"{where}: unassigned credit differs"
        assert ours.uncovered == theirs.uncovered, f"{where}: uncovered usage differs"


# --- The properties.


@given(cycles())
def test_engine_equals_reference_line_for_line_over_any_period_sequence(cycle):
    scenario, periods = cycle
    assert_same_steps(
        engine_cycle(scenario, periods), reference_steps(reference_cycle(scenario, periods))
    )


# An in-order sweep runs up to HORIZON periods, so it gets a quarter of the examples.
SWEEP_SETTINGS = settings(max_examples=max(10, settings.default.max_examples // 4))


@SWEEP_SETTINGS
@given(cycles())
def test_after_every_month_is_run_in_order_payouts_add_up_to_rounded_earnings(cycle):
    """Section 5: once stale periods are run again, Σ payouts = round(earned to date)."""
    scenario, sequence = cycle
    first, last = parse_period(min(sequence)), parse_period(max(sequence))
    periods = [*sequence, *(format_period(m) for m in range(first, last + 1))]
    engine = engine_cycle(scenario, periods)
    reference = reference_cycle(scenario, periods)
    assert_same_steps(engine, reference_steps(reference))
    assume(not any(step.failed for step in engine))
    paid: dict[Key, int] = defaultdict(int)
    for step in engine[len(sequence) :]:
        for payee_id, plan_id, _, component_id, contract_id, *_, amount in step.lines:
            paid[(payee_id, plan_id, component_id, contract_id)] += amount
    earned = reference[-1].earned
    for key in set(paid) | set(earned):
        assert paid.get(key, 0) == round_half_away(earned.get(key, Fraction(0))), key
