"""Checks across all the plan files given: versions of one plan id must fit together.

Payouts are tracked per plan id and component id across versions (spec section 5),
so versions must not overlap in time and a component id must keep its type.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from itertools import combinations

from compengine.errors import Problem
from compengine.plan.parse import PlanHeader


def check_across(headers: Sequence[PlanHeader]) -> list[Problem]:
    """Every conflict between files, each reported in the later file and naming the other."""
    problems = _one_currency(headers)
    versions: dict[str, list[PlanHeader]] = defaultdict(list)
    for header in headers:
        versions[header.plan_id].append(header)
    for same_plan in versions.values():
        problems += _duplicate_versions(same_plan)
        problems += _overlaps(same_plan)
        problems += _component_types(same_plan)
    return problems


def _place(header: PlanHeader, line: int) -> str:
    return f"{header.source}:{line}"


def _one_currency(headers: Sequence[PlanHeader]) -> list[Problem]:
    if not headers:
        return []
    first = headers[0]
    return [
        Problem(
            header.source,
            header.currency_line,
            "currency",
            f"is {header.currency}, but {first.plan_id} v{first.version} "
            f"({_place(first, first.currency_line)}) is {first.currency}: "
            "a deployment pays in one currency",
        )
        for header in headers[1:]
        if header.currency != first.currency
    ]


def _duplicate_versions(headers: Sequence[PlanHeader]) -> list[Problem]:
    problems = []
    seen: dict[int, PlanHeader] = {}
    for header in headers:
        first = seen.setdefault(header.version, header)
        if first is not header:
            problems.append(
                Problem(
                    header.source,
                    header.version_line,
                    "version",
                    f"{header.plan_id} v{header.version} is also defined in "
                    f"{_place(first, first.version_line)}",
                )
            )
    return problems


def _overlaps(headers: Sequence[PlanHeader]) -> list[Problem]:
    problems = []
    for earlier, later in combinations(headers, 2):
        if earlier.version == later.version or not _overlap(earlier, later):
            continue
        problems.append(
            Problem(
                later.source,
                later.effective_line,
                "effective",
                f"{later.plan_id} v{later.version} ({later.effective_text()}) overlaps "
                f"v{earlier.version} ({earlier.effective_text()}) in "
                f"{_place(earlier, earlier.effective_line)}: "
                "only one version of a plan may be in force in a month",
            )
        )
    return problems


def _overlap(one: PlanHeader, other: PlanHeader) -> bool:
    one_ends_before = one.effective_to is not None and one.effective_to < other.effective_from
    other_ends_before = other.effective_to is not None and other.effective_to < one.effective_from
    return not (one_ends_before or other_ends_before)


def _component_types(headers: Sequence[PlanHeader]) -> list[Problem]:
    """A component id keeps its type across versions: its payouts carry on from one to the next."""
    problems = []
    first_seen: dict[str, tuple[PlanHeader, int, str]] = {}
    for header in sorted(headers, key=lambda h: h.version):
        for head in header.components:
            if head.type is None:
                continue
            origin, line, kind = first_seen.setdefault(head.id, (header, head.type_line, head.type))
            if kind != head.type and origin.version != header.version:
                problems.append(
                    Problem(
                        header.source,
                        head.type_line,
                        f"{head.path}.type",
                        f"component {head.id!r} is {kind} in v{origin.version} "
                        f"({_place(origin, line)}): a component id keeps its type across versions",
                    )
                )
    return problems
