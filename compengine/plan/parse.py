"""One plan file's text -> its validated PlanVersions, every problem of the file reported.

A file holds one plan, in one or more versions: YAML documents separated by `---`.
Besides each version, its header (id, version, effective range, component heads) is
returned whenever it is readable, so that the checks across versions and files still
run on a file that has problems elsewhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from ruamel.yaml.nodes import SequenceNode

from compengine.months import format_period
from compengine.plan.components import ComponentHead, ComponentRead, read_component
from compengine.plan.model import ACCOUNT_FIELDS, Lifecycle, PlanVersion
from compengine.plan.nodes import Field, Report, Section, compose_documents, kind_of
from compengine.plan.values import MAX_MONTHS, read_integer, read_month, read_text

TOP_KEYS = ("plan", "version", "name", "currency", "effective", "scope", "lifecycle", "components")
PLAN_ID = re.compile(r"^[a-z0-9-]+$")
CURRENCY = re.compile(r"^[A-Z]{3}$")
DEFAULT_CURRENCY = "USD"
MAX_VERSION = 1_000_000  # spec section 1


@dataclass(frozen=True)
class PlanHeader:
    """What the checks across files need, with the lines to point them at."""

    source: str
    plan_id: str
    plan_line: int
    version: int
    version_line: int
    effective_from: int
    effective_to: int | None
    effective_line: int
    currency: str
    currency_line: int
    components: tuple[ComponentHead, ...]

    def effective_text(self) -> str:
        end = "" if self.effective_to is None else format_period(self.effective_to)
        return f"{format_period(self.effective_from)}..{end}"


@dataclass(frozen=True)
class ParsedPlan:
    header: PlanHeader | None
    plan: PlanVersion | None  # None when the file has a problem


def parse_plans(text: str, report: Report) -> list[ParsedPlan]:
    """Each document of the file, in file order; one plan id per file."""
    parsed = [_parse_document(root, text, report) for root in compose_documents(text, report)]
    headers = [plan.header for plan in parsed if plan.header]
    for header in headers[1:]:
        if header.plan_id != headers[0].plan_id:
            report.add(
                header.plan_line,
                "plan",
                f"is {header.plan_id!r}, but this file holds plan {headers[0].plan_id!r} "
                f"(line {headers[0].plan_line}): one plan per file, its versions as documents",
            )
    return parsed


def _parse_document(root: Field, text: str, report: Report) -> ParsedPlan:
    top = Section(report, root, "a plan (plan: ..., version: ..., ...)")
    if not top.valid:
        return ParsedPlan(None, None)
    before = report.count()
    top.reject_unknown(TOP_KEYS)
    plan_field, version_field = top.require("plan"), top.require("version")
    plan_id = _plan_id(report, plan_field) if plan_field else None
    version = read_integer(report, version_field, 1, MAX_VERSION) if version_field else None
    name_field, currency_field = top.get("name"), top.get("currency")
    name = read_text(report, name_field) if name_field else plan_id
    currency = _currency(report, currency_field) if currency_field else DEFAULT_CURRENCY
    effective_field = top.require("effective")
    effective = _effective(report, effective_field) if effective_field else None
    scope_field = top.get("scope")
    scope = _scope(report, scope_field) if scope_field else ()
    lifecycle_field = top.require("lifecycle")
    lifecycle, window = _lifecycle(report, lifecycle_field) if lifecycle_field else (None, None)
    components_field = top.require("components")
    reads = _components(report, components_field, window) if components_field else []
    heads = tuple(read.head for read in reads if read.head)
    _check_heads(report, heads)

    ready = plan_field and version_field and effective_field and currency
    if not (ready and plan_id and version and effective):
        return ParsedPlan(None, None)
    header = PlanHeader(
        source=report.source,
        plan_id=plan_id,
        plan_line=plan_field.line,
        version=version,
        version_line=version_field.line,
        effective_from=effective[0],
        effective_to=effective[1],
        effective_line=effective_field.line,
        currency=currency,
        currency_line=currency_field.line if currency_field else root.line,
        components=heads,
    )
    if report.count() > before or lifecycle is None:
        return ParsedPlan(header, None)
    plan = PlanVersion(
        plan_id=plan_id,
        version=version,
        name=name or plan_id,
        currency=currency,
        effective_from=effective[0],
        effective_to=effective[1],
        scope=scope,
        lifecycle=lifecycle,
        components=tuple(read.component for read in reads if read.component),
        source=report.source,
        text=text,
        line=version_field.line,
        effective_line=effective_field.line,
    )
    return ParsedPlan(header, plan)


def _plan_id(report: Report, where: Field) -> str | None:
    plan_id = read_text(report, where)
    if plan_id is not None and not PLAN_ID.match(plan_id):
        report.at(where, f"{plan_id!r} is not a plan id: use a-z, 0-9 and '-'")
        return None
    return plan_id


def _currency(report: Report, where: Field) -> str | None:
    currency = read_text(report, where)
    if currency is not None and not CURRENCY.match(currency):
        report.at(where, f"{currency!r} is not a currency code like USD")
        return None
    return currency


def _effective(report: Report, where: Field) -> tuple[int, int | None] | None:
    """(from, to) months, to None when open-ended; None when either is wrong."""
    section = Section(report, where, "a mapping (from: YYYY-MM, to: YYYY-MM)")
    section.reject_unknown(("from", "to"))
    start_field, end_field = section.require("from"), section.get("to")
    start = read_month(report, start_field) if start_field else None
    end = read_month(report, end_field) if end_field else None
    if start is None or (end_field and end is None):
        return None
    if end_field and end is not None and end < start:
        report.at(end_field, f"is before effective.from {format_period(start)}")
        return None
    return start, end


def _scope(report: Report, where: Field) -> tuple[tuple[str, tuple[str, ...]], ...]:
    section = Section(report, where, "a mapping of account fields to values")
    section.reject_unknown(ACCOUNT_FIELDS, "not an account field")
    scope = []
    for key, value in section.entries.items():
        if key not in ACCOUNT_FIELDS:
            continue
        values = _scope_values(report, value)
        if values:
            scope.append((key, values))
    return tuple(scope)


def _scope_values(report: Report, where: Field) -> tuple[str, ...]:
    if not isinstance(where.node, SequenceNode):
        value = read_text(report, where)
        return (value,) if value is not None else ()
    if not where.node.value:
        report.at(where, "lists no values, so it would match no account")
        return ()
    values = [read_text(report, item) for item in where.items()]
    return tuple(value for value in values if value is not None)


def _lifecycle(report: Report, where: Field) -> tuple[Lifecycle | None, int | None]:
    """The lifecycle, and window_months alone when only it is readable (for curve lengths)."""
    section = Section(report, where, "a mapping (window_months: ..., baseline_months: ...)")
    section.reject_unknown(("window_months", "baseline_months"))
    window_field, baseline_field = section.require("window_months"), section.get("baseline_months")
    window = read_integer(report, window_field, 1, MAX_MONTHS) if window_field else None
    baseline = read_integer(report, baseline_field, 1, MAX_MONTHS) if baseline_field else None
    if window is None:
        return None, None
    if baseline_field is None:
        return Lifecycle(window, min(3, window)), window
    if baseline is None:
        return None, window
    if baseline > window:
        report.add(
            baseline_field.line,
            baseline_field.path,
            f"must not exceed lifecycle.window_months ({window})",
        )
        return None, window
    return Lifecycle(window, baseline), window


def _components(report: Report, where: Field, window: int | None) -> list[ComponentRead]:
    node = where.node
    if not isinstance(node, SequenceNode) or not node.value:
        described = kind_of(node) if not isinstance(node, SequenceNode) else "an empty list"
        report.at(where, f"must be a list of components, but is {described}")
        return []
    return [read_component(report, item, window) for item in where.items()]


def _check_heads(report: Report, heads: Iterable[ComponentHead]) -> None:
    """Ids are unique; no two components credit one role for one type (run would refuse it)."""
    by_id: dict[str, ComponentHead] = {}
    by_role_and_type: dict[tuple[str, str], ComponentHead] = {}
    for head in heads:
        first = by_id.setdefault(head.id, head)
        if first is not head:
            message = f"duplicate component id {head.id!r} (first on line {first.id_line})"
            report.add(head.id_line, f"{head.path}.id", message)
        if head.type is None or head.role is None:
            continue
        same = by_role_and_type.setdefault((head.role, head.type), head)
        if same is not head:
            report.add(
                head.type_line,
                f"{head.path}.type",
                f"{head.role} is already credited for {head.type} by component {same.id!r} "
                f"(line {same.type_line}); a run refuses to add the two up",
            )
