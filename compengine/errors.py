"""Errors as values: every problem carries the place it was found.

Problems are collected and reported together (like beancount's ``file:line: message``)
so that a user fixes a whole file in one pass instead of one error per run.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the input, with where it is."""

    source: str
    line: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        place = self.source if self.line is None else f"{self.source}:{self.line}"
        if self.field:
            return f"{place}: {self.field}: {self.message}"
        return f"{place}: {self.message}"


class UserError(Exception):
    """Bad input or a forbidden action: exit code 1, nothing written."""

    def __init__(self, problems: Iterable[Problem | str]):
        self.problems: list[Problem | str] = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    @classmethod
    def single(cls, message: str) -> UserError:
        return cls([message])
