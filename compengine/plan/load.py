"""Plan files and folders -> validated plan versions, or one error listing every problem."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from compengine.errors import Problem, UserError
from compengine.plan.consistency import check_across
from compengine.plan.model import PlanVersion
from compengine.plan.nodes import Report
from compengine.plan.parse import ParsedPlan, parse_plans

PLAN_SUFFIXES = (".yaml", ".yml")


def load_plans(paths: Sequence[Path | str]) -> list[PlanVersion]:
    """The plan versions of all files given (folders: their *.yaml / *.yml files, sorted by
    name), in file and document order.

    Raises UserError with every problem of every file, plus the conflicts between files.
    """
    files, problems = plan_files(paths)
    parsed = [plan for source in files for plan in _parse_file(source, problems)]
    problems += check_across([plan.header for plan in parsed if plan.header])
    if problems:
        order = {source: index for index, source in enumerate(files)}
        problems.sort(key=lambda p: (order.get(p.source, -1), p.line or 0))
        raise UserError(problems)
    return [plan.plan for plan in parsed if plan.plan]


def plan_files(paths: Sequence[Path | str]) -> tuple[list[str], list[Problem]]:
    """Each plan file once, named as the user gave it (or folder/name for a folder's files)."""
    files: list[str] = []
    problems: list[Problem] = []
    seen: set[Path] = set()
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found = sorted(
                child
                for child in path.iterdir()
                if child.is_file() and child.suffix in PLAN_SUFFIXES
            )
            if not found:
                problems.append(Problem(str(given), None, None, "folder holds no *.yaml plan file"))
            candidates = [str(child) for child in found]
        elif path.is_file():
            candidates = [str(given)]
        else:
            problems.append(Problem(str(given), None, None, "no such file or folder"))
            candidates = []
        for candidate in candidates:
            resolved = Path(candidate).resolve()
            if resolved not in seen:
                seen.add(resolved)
                files.append(candidate)
    return files, problems


def _parse_file(source: str, problems: list[Problem]) -> list[ParsedPlan]:
    report = Report(source)
    try:
        text = Path(source).read_text(encoding="utf-8")
    except UnicodeDecodeError:
        report.add(None, None, "is not UTF-8 text")
        text = None
    except OSError as error:
        report.add(None, None, f"cannot be read: {error.strerror}")
        text = None
    parsed = parse_plans(text, report) if text is not None else []
    problems += report.problems
    return parsed
