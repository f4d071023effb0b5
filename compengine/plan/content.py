"""A plan version's content hash: what decides its pay, independent of how the file is written.

The hash is taken over the parsed, validated version (not the file's text), so comments,
formatting, key order, the order of components and of scope values, `0.05` versus `0.050`
and defaults written out or left implicit do not change it. It leaves out the name (a
label) and the effective range: ending a version with `to:` is the safe way to change a
plan, so the range is checked on its own, month by month, against the locked periods
(`compengine.cycles.frozen`).

A component's `earnings_code` is content (it decides what payroll books), but only where
it differs from its default, the component id: the hashes frozen before the key existed
stay what they were.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import fields, is_dataclass
from fractions import Fraction
from typing import Any

from compengine.plan.model import PlanVersion

# Fields that do not decide pay, or (the effective range) are checked apart.
_LEFT_OUT = frozenset(
    {"name", "effective_from", "effective_to", "source", "text", "line", "effective_line"}
)


def content_hash(plan: PlanVersion) -> str:
    """sha256 of the version's canonical JSON form, as 64 hex digits."""
    form = _canonical(plan)
    # Neither the order of scope fields and values nor that of components decides pay.
    form["scope"] = sorted([name, sorted(values)] for name, values in plan.scope)
    form["components"] = sorted(
        (_without_default_code(component) for component in form["components"]),
        key=lambda component: component["id"],
    )
    canonical = json.dumps(form, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _without_default_code(component: dict[str, Any]) -> dict[str, Any]:
    code = component.pop("earnings_code")
    return component if code in (None, component["id"]) else {**component, "earnings_code": code}


def _canonical(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return {
            field.name: _canonical(getattr(value, field.name))
            for field in fields(value)
            if field.name not in _LEFT_OUT
        }
    if isinstance(value, Fraction):
        return f"{value.numerator}/{value.denominator}"
    if isinstance(value, tuple | list):
        return [_canonical(item) for item in value]
    return value
