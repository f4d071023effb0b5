"""One plan component: its keys checked against its type, its numbers read exactly.

A component is built only when it has no problem; its head (id, type, role, line)
is kept even then, so that checks across components and versions still run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from ruamel.yaml.nodes import ScalarNode, SequenceNode

from compengine.plan.model import (
    ADJUSTMENT_EARNINGS_CODE,
    COMPONENT_TYPES,
    RESERVED_COMPONENT_IDS,
    Bonus,
    Clawback,
    Component,
    Expansion,
    FirstPurchase,
    RampRealization,
    SustainedUsage,
    Tier,
    Tiers,
)
from compengine.plan.nodes import Field, Report, Section, kind_of
from compengine.plan.values import (
    MAX_MONTHS,
    read_decimal,
    read_earnings_code,
    read_id,
    read_integer,
    read_money,
    read_text,
)

COMMON_KEYS = ("id", "type", "role")
OPTIONAL_KEYS = ("earnings_code",)  # any component type may carry them
CURVE_NAMES = ("linear", "flat")
TIER_MODES = ("marginal", "whole")


@dataclass(frozen=True)
class ComponentHead:
    id: str
    type: str | None  # None when missing or not a known type
    role: str | None
    path: str  # e.g. components[2]
    line: int  # the component's first line
    id_line: int
    type_line: int


@dataclass(frozen=True)
class ComponentRead:
    head: ComponentHead | None
    component: Component | None


def read_component(report: Report, where: Field, window: int | None) -> ComponentRead:
    section = Section(report, where, "a component (id: ..., type: ..., role: ...)")
    if not section.valid:
        return ComponentRead(None, None)
    before = report.count()
    id_field, type_field, role_field = (section.require(key) for key in COMMON_KEYS)
    component_id = _component_id(report, id_field) if id_field else None
    role = read_id(report, role_field) if role_field else None
    kind = read_text(report, type_field) if type_field else None
    if type_field and kind is not None and kind not in COMPONENT_TYPES:
        report.add(
            type_field.line,
            type_field.path,
            f"unknown component type {kind!r} (one of: {', '.join(COMPONENT_TYPES)})",
        )
        kind = None
    head = None
    if id_field and component_id:
        type_line = type_field.line if type_field else where.line
        head = ComponentHead(
            component_id,
            kind,
            role,
            where.path,
            where.line,
            id_field.line,
            type_line,
        )
    if kind is None:
        return ComponentRead(head, None)
    build, keys, read_fields = _TYPES[kind]
    section.reject_unknown(COMMON_KEYS + keys + OPTIONAL_KEYS, f"not a key of {kind} components")
    fields = read_fields(report, section, window)
    code = section.get("earnings_code")
    if code:
        fields["earnings_code"] = _earnings_code(report, code)
    if report.count() > before:
        return ComponentRead(head, None)
    return ComponentRead(head, build(id=component_id, role=role, line=where.line, **fields))


def _component_id(report: Report, where: Field) -> str | None:
    component_id = read_id(report, where)
    if component_id in RESERVED_COMPONENT_IDS:
        report.at(where, f"{component_id!r} is reserved for compengine's own lines")
        return None
    return component_id


def _earnings_code(report: Report, where: Field) -> str | None:
    code = read_earnings_code(report, where)
    if code is not None and code.lower() == ADJUSTMENT_EARNINGS_CODE:
        report.at(where, f"{code!r} is the earnings code of manual adjustments")
        return None
    return code


def _first_purchase(report: Report, section: Section, window: int | None) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    payout = section.require("payout")
    if payout:
        fields.update(_payout(report, payout))
    clawback = section.get("clawback")
    if clawback:
        fields["clawback"] = _clawback(report, clawback)
    return fields


def _payout(report: Report, where: Field) -> dict[str, Any]:
    section = Section(report, where, "a mapping with flat (an amount) or rate (x commit_monthly)")
    section.reject_unknown(("flat", "rate", "of"))
    flat, rate, of = section.get("flat"), section.get("rate"), section.get("of")
    if flat and rate:
        report.at(where, "give either flat or rate, not both")
    elif section.valid and not flat and not rate:
        report.at(where, "needs flat (an amount) or rate (x commit_monthly)")
    if of and read_text(report, of) not in (None, "commit_monthly"):
        report.at(of, "the only allowed value is commit_monthly")
    fields: dict[str, Any] = {}
    if flat:
        fields["flat_cents"] = read_money(report, flat)
    if rate:
        fields["rate"] = read_decimal(report, rate)
    return fields


def _clawback(report: Report, where: Field) -> Clawback | None:
    section = Section(report, where, "a mapping (within_months: ..., churn_months: ...)")
    section.reject_unknown(("within_months", "churn_months"))
    within_field, churn_field = section.require("within_months"), section.get("churn_months")
    within = read_integer(report, within_field, 1, MAX_MONTHS) if within_field else None
    churn = read_integer(report, churn_field, 1, MAX_MONTHS) if churn_field else 1
    if within is None or churn is None:
        return None
    if churn_field and churn > within:
        report.at(churn_field, f"must not exceed within_months ({within})")
        return None
    return Clawback(within_months=within, churn_months=churn)


def _ramp_realization(report: Report, section: Section, window: int | None) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    curve, rate, tiers = section.get("curve"), section.get("rate"), section.get("tiers")
    cap, bonus = section.get("cap"), section.get("bonus")
    if curve:
        fields["curve"] = _curve(report, curve, window)
    if not rate and not tiers:
        report.add(
            section.where.line,
            section.where.key_path("rate"),
            "a ramp_realization component needs rate or tiers",
        )
    if rate:
        fields["rate"] = read_decimal(report, rate)
    if tiers:
        fields["tiers"] = _tiers(report, tiers)
    if cap:
        fields["cap_cents"] = read_money(report, cap)
    if bonus:
        fields["bonus"] = _bonus(report, bonus)
    return fields


def _curve(
    report: Report,
    where: Field,
    window: int | None,
) -> str | tuple[Fraction | None, ...] | None:
    node = where.node
    if isinstance(node, SequenceNode):
        values = tuple(read_decimal(report, item, positive=True) for item in where.items())
        if window is not None and len(values) != window:
            report.add(
                where.line,
                where.path,
                f"lists {len(values)} values, but lifecycle.window_months is {window}",
            )
        return values
    if isinstance(node, ScalarNode) and node.value in CURVE_NAMES:
        return node.value
    report.add(
        where.line,
        where.path,
        f"must be linear, flat or a list of window_months fractions, but is {kind_of(node)}",
    )
    return None


def _tiers(report: Report, where: Field) -> Tiers | None:
    before = report.count()
    section = Section(report, where, "a mapping (mode: ..., rates: [...])")
    section.reject_unknown(("mode", "rates"))
    mode_field, rates_field = section.get("mode"), section.require("rates")
    mode = read_text(report, mode_field) if mode_field else "marginal"
    if mode_field and mode is not None and mode not in TIER_MODES:
        report.at(mode_field, f"must be marginal or whole, not {mode!r}")
    rates = _tier_rates(report, rates_field) if rates_field else ()
    if report.count() > before:
        return None
    return Tiers(mode=mode, rates=rates)


def _tier_rates(report: Report, where: Field) -> tuple[Tier, ...]:
    node = where.node
    if not isinstance(node, SequenceNode) or not node.value:
        report.at(where, "must be a list of {from: ..., rate: ...} (at least one)")
        return ()
    tiers: list[Tier] = []
    previous: tuple[str, Fraction] | None = None  # the last readable `from`, as written
    for index, tier_field in enumerate(where.items()):
        section = Section(report, tier_field, "a tier {from: ..., rate: ...}")
        section.reject_unknown(("from", "rate"))
        start_field, rate_field = section.require("from"), section.require("rate")
        start = read_decimal(report, start_field) if start_field else None
        rate = read_decimal(report, rate_field) if rate_field else None
        if start_field is None or start is None:
            previous = None
            continue
        if index == 0 and start != 0:
            report.at(start_field, "the first tier must start at 0")
        if previous and start <= previous[1]:
            report.at(start_field, f"must be greater than the previous tier's from ({previous[0]})")
        previous = (start_field.node.value, start)
        if rate is not None:
            tiers.append(Tier(start=start, rate=rate))
    return tuple(tiers)


def _bonus(report: Report, where: Field) -> Bonus | None:
    section = Section(report, where, "a mapping (attainment_at_least: ..., amount: ...)")
    section.reject_unknown(("attainment_at_least", "amount"))
    at_least_field, amount_field = section.require("attainment_at_least"), section.require("amount")
    at_least = read_decimal(report, at_least_field) if at_least_field else None
    amount = read_money(report, amount_field) if amount_field else None
    if at_least is None or amount is None:
        return None
    return Bonus(attainment_at_least=at_least, amount_cents=amount)


def _sustained_usage(report: Report, section: Section, window: int | None) -> dict[str, Any]:
    fields = _rate_and(report, section, "min_retention")
    duration = section.get("duration_months")
    if duration:
        fields["duration_months"] = read_integer(report, duration, 1, MAX_MONTHS)
    return fields


def _expansion(report: Report, section: Section, window: int | None) -> dict[str, Any]:
    return _rate_and(report, section, "threshold")


def _rate_and(report: Report, section: Section, fraction_key: str) -> dict[str, Any]:
    """The required rate plus an optional non-negative fraction (default 0)."""
    fields: dict[str, Any] = {}
    rate = section.require("rate")
    if rate:
        fields["rate"] = read_decimal(report, rate)
    fraction = section.get(fraction_key)
    if fraction:
        fields[fraction_key] = read_decimal(report, fraction)
    return fields


_Reader = Callable[[Report, Section, int | None], dict[str, Any]]

_TYPES: dict[str, tuple[Callable[..., Component], tuple[str, ...], _Reader]] = {
    "first_purchase": (FirstPurchase, ("payout", "clawback"), _first_purchase),
    "ramp_realization": (
        RampRealization,
        ("curve", "rate", "tiers", "cap", "bonus"),
        _ramp_realization,
    ),
    "sustained_usage": (
        SustainedUsage,
        ("rate", "min_retention", "duration_months"),
        _sustained_usage,
    ),
    "expansion": (Expansion, ("rate", "threshold"), _expansion),
}
