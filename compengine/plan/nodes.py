"""YAML as a tree of located nodes, and the sink that collects a file's problems.

The composer's node tree (not constructed Python values) is read so that every scalar
keeps its source text, so every number stays exact, and every node keeps its line
for messages.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError
from ruamel.yaml.events import CollectionEndEvent, CollectionStartEvent
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.reader import ReaderError

from compengine.errors import Problem

NULL_TAG = "tag:yaml.org,2002:null"
MAX_NESTING = 20  # spec section 1: plan files nest at most 20 levels


@dataclass
class Report:
    """The problems found in one file so far."""

    source: str
    problems: list[Problem] = field(default_factory=list)

    def add(self, line: int | None, path: str | None, message: str) -> None:
        self.problems.append(Problem(self.source, line, path or None, message))

    def at(self, where: Field, message: str) -> None:
        self.add(where.line, where.path, message)

    def count(self) -> int:
        return len(self.problems)


@dataclass(frozen=True)
class Field:
    """A node with the dotted path and the 1-based line under which its problems are reported."""

    node: Node
    path: str
    line: int

    def key_path(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def items(self) -> list[Field]:
        """The items of a list node, each with its index in its path."""
        if not isinstance(self.node, SequenceNode):
            return []
        return [
            Field(node, f"{self.path}[{index}]", line_of(node))
            for index, node in enumerate(self.node.value)
        ]

    def is_null(self) -> bool:
        return isinstance(self.node, ScalarNode) and self.node.tag == NULL_TAG


def line_of(node: Node) -> int:
    return node.start_mark.line + 1


def compose_documents(text: str, report: Report) -> list[Field]:
    """The root node of each non-empty document (`---` separates the versions of a plan),
    or [] after reporting a syntax error, a nesting too deep or a file with no document.

    Nesting is measured on the parser's event stream before composing, since the composer
    recurses once per level and would fail with RecursionError on a hostile file.
    """
    try:
        if not _nesting_within_limit(text, report):
            return []
        roots = [root for root in YAML(typ="rt").compose_all(text) if not _empty(root)]
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = error.problem or "invalid YAML"
        detail = f"{problem} ({error.context})" if error.context else problem
        report.add(line, None, f"YAML syntax error: {detail}")
        return []
    except ReaderError as error:
        line = text.count("\n", 0, error.position) + 1
        report.add(line, None, f"YAML syntax error: {error.reason}")
        return []
    if not roots:
        report.add(1, None, "the file is empty: expected a plan (plan: ..., version: ..., ...)")
    return [Field(root, "", line_of(root)) for root in roots]


def _nesting_within_limit(text: str, report: Report) -> bool:
    depth = 0
    for event in YAML(typ="rt").parse(text):
        if isinstance(event, CollectionStartEvent):
            depth += 1
            if depth > MAX_NESTING:
                line = event.start_mark.line + 1
                report.add(line, None, f"nests deeper than {MAX_NESTING} levels")
                return False
        elif isinstance(event, CollectionEndEvent):
            depth -= 1
    return True


def _empty(root: Node | None) -> bool:
    """A document with nothing in it, e.g. after a trailing `---`."""
    return root is None or (
        isinstance(root, ScalarNode) and root.tag == NULL_TAG and not root.value
    )


def kind_of(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    if node.tag == NULL_TAG:
        return "empty"
    return f"{node.value!r}"


class Section:
    """A YAML mapping read as named fields: duplicate keys are reported, unknown ones on request."""

    def __init__(self, report: Report, where: Field, description: str):
        self.report = report
        self.where = where
        self.entries: dict[str, Field] = {}
        self.keys: dict[str, Node] = {}
        self.valid = isinstance(where.node, MappingNode)
        if not self.valid:
            report.at(where, f"must be {description}, but is {kind_of(where.node)}")
            return
        for key_node, value_node in where.node.value:
            self._add(key_node, value_node)

    def _add(self, key_node: Node, value_node: Node) -> None:
        key_line = line_of(key_node)
        if not isinstance(key_node, ScalarNode):
            self.report.add(key_line, self.where.path, "a key must be a plain word")
            return
        key = key_node.value
        if key in self.entries:
            first = line_of(self.keys[key])
            path = self.where.key_path(key)
            self.report.add(key_line, path, f"given twice (first on line {first})")
            return
        value_line = line_of(value_node)
        # An empty value's mark is on the next token's line and an alias's on its anchor's.
        empty = isinstance(value_node, ScalarNode) and not value_node.value and not value_node.style
        line = key_line if empty or value_line < key_line else value_line
        self.keys[key] = key_node
        self.entries[key] = Field(value_node, self.where.key_path(key), line)

    def reject_unknown(self, allowed: Collection[str], what: str = "unknown key") -> None:
        for key, key_node in self.keys.items():
            if key not in allowed:
                self.report.add(
                    line_of(key_node),
                    self.where.key_path(key),
                    f"{what} (expected one of: {', '.join(allowed)})",
                )

    def get(self, key: str) -> Field | None:
        return self.entries.get(key)

    def require(self, key: str) -> Field | None:
        found = self.entries.get(key)
        if found is None and self.valid:
            self.report.add(self.where.line, self.where.key_path(key), "is required")
        return found
