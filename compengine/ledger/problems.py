"""Collecting load problems in bounded memory.

A 10-million-row file with a bad column must not build 10 million messages: each
check counts all of its problems but keeps only the first few (by line), which is
enough to print the first problems of the whole load in file and line order.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence

import numpy as np

from compengine.errors import Problem, UserError

SHOWN = 100  # problems printed; the rest are counted


class ProblemLog:
    """Problems of one load, kept per (source, check) up to SHOWN each."""

    def __init__(self, source_order: Sequence[str] = ()):
        self._rank = {source: rank for rank, source in enumerate(source_order)}
        self._kept: dict[tuple[str, str], list[Problem]] = defaultdict(list)
        self.total = 0

    def __bool__(self) -> bool:
        return self.total > 0

    def add(self, problem: Problem, check: str = "") -> None:
        self.total += 1
        kept = self._kept[(problem.source, check)]
        if len(kept) < SHOWN:
            kept.append(problem)

    def add_rows(
        self,
        check: str,
        source: str,
        bad: np.ndarray,
        lines: np.ndarray,
        problem_at: Callable[[int, int], Problem],
    ) -> None:
        """Record the rows of a chunk where the boolean array `bad` holds.

        `problem_at(position, line)` builds the message; it is only called for the
        rows that will be kept, so a column that is bad everywhere costs one count.
        """
        positions = np.flatnonzero(bad)
        if positions.size == 0:
            return
        self.total += int(positions.size)
        kept = self._kept[(source, check)]
        for position in positions[: SHOWN - len(kept)]:
            kept.append(problem_at(int(position), int(lines[position])))

    def add_counted(self, check: str, total: int, first: Sequence[Problem]) -> None:
        """Record a check that counted its problems itself and built only the first ones."""
        self.total += total
        for problem in first:
            kept = self._kept[(problem.source, check)]
            if len(kept) < SHOWN:
                kept.append(problem)

    def problems(self) -> list[Problem]:
        """Every kept problem, in load order of the files, then by line."""
        everything = [problem for kept in self._kept.values() for problem in kept]
        return sorted(everything, key=self._order)

    def error(self) -> UserError:
        """The first SHOWN problems of the load and how many more there are."""
        shown: list[Problem | str] = list(self.problems()[:SHOWN])
        hidden = self.total - len(shown)
        if hidden:
            shown.append(f"... and {hidden} more problem{'s' if hidden > 1 else ''}")
        return UserError(shown)

    def _order(self, problem: Problem) -> tuple:
        return (
            self._rank.get(problem.source, len(self._rank)),
            problem.source,
            problem.line or 0,
            problem.field or "",
            problem.message,
        )
