"""Plan tests write YAML into a scratch folder and read the problems `load_plans` reports."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from textwrap import dedent

import pytest

from compengine.errors import UserError
from compengine.plan.load import load_plans


@pytest.fixture
def write_plan(tmp_path, monkeypatch) -> Callable[..., str]:
    """Write a dedented plan into the scratch working directory; return its relative path."""
    monkeypatch.chdir(tmp_path)

    def write(text: str, name: str = "plan.yaml") -> str:
        path = Path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dedent(text), encoding="utf-8")
        return name

    return write


def _problems_of(paths: list[str]) -> list[str]:
    with pytest.raises(UserError) as raised:
        load_plans(paths)
    return [str(problem) for problem in raised.value.problems]


@pytest.fixture
def problems_of() -> Callable[[list[str]], list[str]]:
    """Every problem `load_plans` reports for these paths, as `file:line: field: message`."""
    return _problems_of


@pytest.fixture
def problems(write_plan) -> Callable[[str], list[str]]:
    """Every problem reported for one plan text written as plan.yaml."""
    return lambda text: _problems_of([write_plan(text)])
