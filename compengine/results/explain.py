"""The sentence behind every payout line: which usage, which plan clause, which tier.

e.g. ``ramp month 3/6: realized 12,400.00 of 15,000.00 target (82.67%), marginal tiers
-> earned to date 620.00, paid before 400.00, payout 220.00``. The same numbers are kept
as a lineage dict (stored as JSON with the line), so that statements and the API can
show the reasons without parsing the sentence.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from compengine.calc.earnings import ComponentEarnings
from compengine.calc.usage import ContractGrid
from compengine.calc.versions import ComponentPlan
from compengine.money import format_cents, format_rate, round_cents, round_half_away
from compengine.months import format_period
from compengine.plan.model import (
    Expansion,
    FirstPurchase,
    PlanVersion,
    RampRealization,
    SustainedUsage,
)


@dataclass(frozen=True)
class ClauseWords:
    """A plan clause's fixed wording, formatted once per component version rather than
    for each of its lines."""

    rate: str = ""  # first purchase, sustained usage, expansion
    rule: str = ""  # ramp: 'marginal tiers (3% from 0%, 6% from 100%)' or 'rate 3%'
    bonus_at: str = ""  # ramp: the bonus's attainment
    min_retention: str = ""  # sustained usage
    threshold: str = ""  # expansion


def clause_words(part: object) -> ClauseWords:
    if isinstance(part, FirstPurchase):
        return ClauseWords(rate=format_rate(part.rate) if part.rate is not None else "")
    if isinstance(part, RampRealization):
        bonus = part.bonus
        return ClauseWords(
            rule=_ramp_rule(part),
            bonus_at=format_rate(bonus.attainment_at_least) if bonus is not None else "",
        )
    if isinstance(part, SustainedUsage):
        return ClauseWords(rate=format_rate(part.rate), min_retention=percent(part.min_retention))
    if isinstance(part, Expansion):
        return ClauseWords(rate=format_rate(part.rate), threshold=percent(part.threshold))
    return ClauseWords()


@dataclass
class Explanation:
    plan: ComponentPlan
    earnings: ComponentEarnings
    grid: ContractGrid
    row: int
    version: int  # index of the version in force when the component last applied, or -1
    words: ClauseWords  # of that version's clause
    contract_earns: bool  # whether E(c, P) of the component is not zero
    earned_cents: int
    paid_cents: int
    amount_cents: int
    share: tuple[str, list[dict]] | None = None  # the share clause and its parts, if partial
    credited: bool = True  # whether the payee is credited anything on the contract now
    role: str = ""  # the role the line credits


Facts = dict[str, object]


def exact(value: Fraction) -> str:
    """A Fraction as lineage text: '7000' or '20000/3' (cents, never a float)."""
    return (
        str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"
    )


def money(cents: Fraction | int) -> str:
    if isinstance(cents, int):
        return format_cents(cents, grouping=True)
    return format_cents(round_cents(cents), grouping=True)


def percent(value: Fraction) -> str:
    """Two decimals, half away from zero: 0.82666 -> '82.67%' (integer arithmetic on the
    fraction's terms: a Fraction product costs a gcd per line)."""
    return f"{format_cents(round_half_away(value.numerator * 10000, value.denominator))}%"


def _period(e: Explanation, grid_month: int) -> str:
    return format_period(e.grid.first_month + grid_month)


def _first_purchase(e: Explanation, part: FirstPurchase) -> tuple[str, Facts]:
    first = _period(e, int(e.grid.first_purchase[e.row]))
    if part.flat_cents is not None:
        text = f"first purchase in {first}: flat {money(part.flat_cents)}"
        facts: Facts = {"flat_cents": part.flat_cents}
    else:
        assert part.rate is not None
        commit = int(e.grid.commit_cents[e.row])
        text = f"first purchase in {first}: {e.words.rate} of commit {money(commit)}"
        facts = {"rate": exact(part.rate), "commit_cents": commit}
    clawed = int(e.earnings.detail["clawed"][e.row])
    if part.clawback is not None and clawed < e.grid.months:
        text += (
            f"; clawed back in {_period(e, clawed)}: no usage for "
            f"{part.clawback.churn_months} month(s) in a row within "
            f"{part.clawback.within_months} months of the first purchase"
        )
        facts["take_back"] = {
            "reason": "clawback",
            "month": _period(e, clawed),
            "churn_months": part.clawback.churn_months,
            "within_months": part.clawback.within_months,
        }
    return text, facts


def _ramp_rule(part: RampRealization) -> str:
    """'marginal tiers (3% from 0%, 6% from 100%)': the same for every line of a plan clause."""
    if part.tiers is None:
        return f"rate {format_rate(part.rate or Fraction(0))}"
    tiers = ", ".join(
        f"{format_rate(t.rate)} from {format_rate(t.start)}" for t in part.tiers.rates
    )
    return f"{part.tiers.mode} tiers ({tiers})"


def _ramp(e: Explanation, part: RampRealization) -> tuple[str, Facts]:
    d = e.earnings.detail
    k, window = int(d["k"][e.row]), int(d["window"][e.row])
    realized = int(d["realized"][e.row])
    target = Fraction(int(d["target"][e.row]), int(d["target_den"][e.row]))
    stage = f"ramp month {k}/{window}" if k < window else f"ramp complete (month {window}/{window})"
    attainment = f" ({percent(realized / target)})" if target else ""
    text = (
        f"{stage}: realized {money(realized)} of {money(target)} target{attainment}, {e.words.rule}"
    )
    facts: Facts = {
        "window_month": k,
        "window_months": window,
        "realized_cents": str(realized),
        "target_cents": exact(target),
    }
    if d["capped"][e.row] and part.cap_cents is not None:
        text += f", capped at {money(part.cap_cents)}"
        facts["cap_cents"] = part.cap_cents
    if d["bonus"][e.row] and part.bonus is not None:
        text += (
            f", + bonus {money(part.bonus.amount_cents)} (attainment at least {e.words.bonus_at})"
        )
        facts["bonus_cents"] = part.bonus.amount_cents
    return text, facts


def _after_window(e: Explanation, part: SustainedUsage | Expansion) -> tuple[str, Facts]:
    d = e.earnings.detail
    months = int(d["baseline_months"][e.row])
    baseline = Fraction(int(d["baseline_sum"][e.row]), months)
    last = e.grid.months - 1
    period = _period(e, last)
    usage = int(e.grid.usage[e.row, last])
    active = bool(e.earnings.version[e.row, last] >= 0)
    facts: Facts = {
        "baseline_cents": exact(baseline),
        "month": period,
        "usage_cents": str(usage),
        "earning_month": active,
    }
    if isinstance(part, SustainedUsage):
        if not active:
            return (
                f"sustained usage (baseline {money(baseline)}, rate {e.words.rate}), "
                f"no sustain month in {period}"
            ), facts
        head = f"sustained usage {period}: usage {money(usage)} vs baseline {money(baseline)}"
        if baseline <= 0:
            return f"{head} (no positive baseline): nothing earned this month", facts
        retention = usage / baseline
        if retention < part.min_retention:
            return (
                f"{head} ({percent(retention)} retention, below the minimum "
                f"{e.words.min_retention}): nothing earned this month"
            ), facts
        return (
            f"{head} ({percent(retention)} retention, minimum {e.words.min_retention}), "
            f"{e.words.rate} of up to the baseline"
        ), facts
    bar = max(baseline, Fraction(0)) * (1 + part.threshold)
    facts["threshold_cents"] = exact(bar)
    if not active:
        return (
            f"expansion above {money(bar)} (baseline {money(baseline)} + "
            f"{e.words.threshold}), no expansion month in {period}"
        ), facts
    if usage <= bar:
        return (
            f"expansion {period}: usage {money(usage)}, not above {money(bar)} "
            f"(baseline {money(baseline)} + {e.words.threshold}): no growth this month"
        ), facts
    return (
        f"expansion {period}: usage {money(usage)} above {money(bar)} "
        f"(baseline {money(baseline)} + {e.words.threshold}), "
        f"{e.words.rate} of the growth"
    ), facts


def _version_at(e: Explanation) -> int:
    """The version a take-back is judged by: in force at F for first purchase and ramp
    (the deal is paid under it for life), in force at P for the month-by-month components."""
    if e.plan.type in ("first_purchase", "ramp_realization"):
        month = int(e.grid.first_purchase[e.row])
    else:
        month = e.grid.months - 1
    return int(e.plan.month_version[month]) if e.grid.months else -1


def _scope(version: PlanVersion) -> str:
    return "; ".join(f"{name} {', '.join(values)}" for name, values in version.scope)


def _no_longer_earned(e: Explanation) -> tuple[str, Facts]:
    """Why a component earns nothing on the contract now: each cause in the words of the plan."""
    plan, name = e.plan, e.plan.type.replace("_", " ")
    period = _period(e, e.grid.months - 1)
    if not e.grid.has_first[e.row]:
        return (
            f"{name}: taken back, the contract has no first purchase any more "
            f"(no usage in its scope from its signing month through {period})",
            {"take_back": {"reason": "no_first_purchase"}},
        )
    first = _period(e, int(e.grid.first_purchase[e.row]))
    by_first = plan.type in ("first_purchase", "ramp_realization")
    month = first if by_first else period
    when = f"the first purchase month is now {first}" if by_first else f"in {period}"
    index = _version_at(e)
    if index < 0:
        return (
            f"{name}: taken back, {when}, outside every version of plan {plan.plan_id} given",
            {"take_back": {"reason": "outside_every_version", "month": month}},
        )
    version = plan.versions[index]
    where = f"plan {plan.plan_id} v{version.version}"
    if plan.parts[index] is None:
        return (
            f"{name}: taken back, {when}, and {where}, in force then, has no component "
            f"{plan.component_id}",
            {
                "take_back": {
                    "reason": "not_in_plan_version",
                    "month": month,
                    "version": version.version,
                }
            },
        )
    if not plan.in_scope[e.row, index]:
        return (
            f"{name}: taken back, account {e.grid.account_ids[e.row]} is not in the scope of "
            f"{where} ({_scope(version)})",
            {"take_back": {"reason": "out_of_scope", "version": version.version}},
        )
    window_end = _period(e, int(e.grid.first_purchase[e.row]) + version.lifecycle.window_months - 1)
    return (
        f"{name}: taken back, the first purchase month is now {first}, so the ramp window "
        f"runs through {window_end} and no month after it has come yet",
        {"take_back": {"reason": "window_not_ended", "window_ends": window_end}},
    )


def _component(e: Explanation) -> tuple[str, Facts]:
    part = e.plan.parts[e.version] if e.version >= 0 else None
    if isinstance(part, FirstPurchase):
        return _first_purchase(e, part)
    if isinstance(part, RampRealization):
        return _ramp(e, part)
    if isinstance(part, SustainedUsage | Expansion):
        return _after_window(e, part)
    return _no_longer_earned(e)


def explain_line(e: Explanation) -> tuple[str, Facts]:
    """The line's sentence and its lineage: the component's numbers, then whose share."""
    text, facts = _component(e)
    lineage: Facts = {"kind": e.plan.type, "component": facts}
    if e.grid.has_first[e.row]:
        lineage["first_purchase_month"] = _period(e, int(e.grid.first_purchase[e.row]))
    take_back = facts.pop("take_back", None)
    if not e.credited and e.contract_earns and take_back is None:
        text += (
            f"; taken back, you no longer hold role {e.role} on account "
            f"{e.grid.account_ids[e.row]} in the months that earned"
        )
        take_back = {"reason": "not_credited"}
    elif e.share is not None:
        text += f"; {e.share[0]}"
        lineage["share"] = e.share[1]
    if take_back is not None:
        lineage["take_back"] = take_back
    lineage.update(
        earned_to_date_cents=e.earned_cents,
        paid_before_cents=e.paid_cents,
        amount_cents=e.amount_cents,
    )
    return (
        f"{text} -> earned to date {format_cents(e.earned_cents, grouping=True)}, "
        f"paid before {format_cents(e.paid_cents, grouping=True)}, "
        f"payout {format_cents(e.amount_cents, grouping=True)}"
    ), lineage
