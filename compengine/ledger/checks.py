"""Checks that need all rows at once, run in SQL over the staging tables.

Each check counts its problems in the database and fetches only the first ones, so
that a 10-million-row file costs one scan per check, not one Python object per row.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, Select, Table, and_, distinct, exists, func, select
from sqlalchemy.engine import Connection

from compengine.errors import Problem
from compengine.ledger.convert import shown_cell
from compengine.ledger.files import BY_NAME, CONTRACTS, FoundInput, InputFile, Kind
from compengine.ledger.problems import SHOWN, ProblemLog
from compengine.ledger.rows import (
    content_differs,
    describe_key,
    key_field,
    same_key,
    shown,
    stored_names,
)
from compengine.ledger.validate import LINE
from compengine.storage.models import Contract


@dataclass(frozen=True)
class Staged:
    """One input file of this load and the staging table holding its rows."""

    found: FoundInput
    table: Table
    rejected: Table  # lines that failed a row check

    @property
    def accepted(self) -> ColumnElement[bool]:
        """The staged rows that passed every row check."""
        return ~exists().where(self.rejected.c.line == self.table.c.line)

    @property
    def spec(self) -> InputFile:
        return self.found.spec

    @property
    def source(self) -> str:
        return self.found.source


def run_checks(
    connection: Connection,
    staged: dict[str, Staged],
    problems: ProblemLog,
    *,
    replace: bool,
    unreadable: set[str],
) -> None:
    """Every check across rows and files; problems go to `problems`.

    References into a file whose rows could not all be read are not checked: they
    would only repeat that file's problem once per referring row.
    """
    for item in staged.values():
        _duplicate_keys(connection, item, problems)
        _unknown_references(connection, item, staged, problems, unreadable)
        if not replace:
            _changed_without_replace(connection, item, problems)
    if CONTRACTS.name in staged:
        _overlapping_scopes(connection, staged[CONTRACTS.name], problems)
    for item in staged.values():
        for reference in item.spec.references:
            if reference.target == item.spec.name:
                _cycles(connection, item, reference.column, problems)


def _first_rows(connection: Connection, query: Select) -> tuple[int, list]:
    """How many rows the query has and the first SHOWN of them by line."""
    rows = connection.execute(query.order_by(LINE).limit(SHOWN)).all()
    if len(rows) < SHOWN:
        return len(rows), rows
    return connection.scalar(select(func.count()).select_from(query.subquery())), rows


def _present(spec: InputFile, table: Table, names: tuple[str, ...]) -> ColumnElement[bool]:
    """The columns hold a usable value (empty ones are reported as required already)."""
    conditions = []
    for name in names:
        column = table.c[spec.column(name).stored_as]
        conditions.append(column.is_not(None))
        if spec.column(name).kind in (Kind.ID, Kind.TEXT):
            conditions.append(column != "")
    return and_(*conditions)


def _duplicate_keys(connection: Connection, item: Staged, problems: ProblemLog) -> None:
    spec, stage = item.spec, item.table
    keys = [stage.c[name] for name in stored_names(spec, spec.key)]
    present = _present(spec, stage, spec.key)
    total = _count_duplicates(connection, stage, keys, present)
    if not total:
        return
    groups = (
        select(*keys, func.min(stage.c.line).label("first_line"))
        .where(present)
        .group_by(*keys)
        .having(func.count() > 1)
        .subquery()
    )
    rows = connection.execute(
        select(stage, groups.c.first_line)
        .join_from(stage, groups, same_key(spec, stage, groups))
        .where(stage.c.line != groups.c.first_line)
        .order_by(stage.c.line)
        .limit(SHOWN)
    ).mappings()
    problems.add_counted(
        "duplicate",
        total,
        [
            Problem(
                item.source,
                row[LINE],
                key_field(spec),
                f"{spec.noun} {describe_key(spec, row)} is also on line {row['first_line']}",
            )
            for row in rows
        ],
    )


def _count_duplicates(
    connection: Connection, stage: Table, keys: list, present: ColumnElement[bool]
) -> int:
    """Rows minus distinct keys: a sort, much cheaper than grouping 10M keys."""
    if len(keys) == 1:
        query = select(func.count() - func.count(distinct(keys[0]))).where(present)
    else:
        rows = select(func.count()).where(present).scalar_subquery()
        distinct_keys = select(*keys).where(present).distinct().subquery()
        query = select(rows - select(func.count()).select_from(distinct_keys).scalar_subquery())
    return int(connection.scalar(query.select_from(stage)) or 0)


def _unknown_references(
    connection: Connection,
    item: Staged,
    staged: dict[str, Staged],
    problems: ProblemLog,
    unreadable: set[str],
) -> None:
    spec, stage = item.spec, item.table
    for reference in spec.references:
        if reference.target in unreadable:
            continue
        target = BY_NAME[reference.target]
        (target_key,) = stored_names(target, target.key)
        value = stage.c[spec.column(reference.column).stored_as]
        stored = target.table.alias("stored")
        conditions = [
            value.is_not(None),
            value != "",
            ~exists().where(stored.c[target_key] == value),
        ]
        if target.name in staged:
            incoming = staged[target.name].table.alias("incoming")
            conditions.append(~exists().where(incoming.c[target_key] == value))
        total, rows = _first_rows(connection, select(stage.c.line, value).where(*conditions))
        problems.add_counted(
            f"reference:{reference.column}",
            total,
            [
                Problem(
                    item.source,
                    line,
                    reference.column,
                    f"unknown {target.noun} {shown_cell(name)}: not in this load and not stored",
                )
                for line, name in rows
            ],
        )


def _changed_without_replace(connection: Connection, item: Staged, problems: ProblemLog) -> None:
    spec, stage = item.spec, item.table
    stored = spec.table.alias("stored")
    query = (
        select(stage.c.line)
        .join_from(stage, stored, same_key(spec, stage, stored))
        .where(item.accepted, content_differs(spec, stage, stored))
    )
    total, first = _first_rows(connection, query)
    if not total:
        return
    lines = [line for (line,) in first]
    pairs = connection.execute(
        select(
            stage,
            *(
                stored.c[column.stored_as].label(f"stored_{column.stored_as}")
                for column in spec.content
            ),
        )
        .join_from(stage, stored, same_key(spec, stage, stored))
        .where(stage.c.line.in_(lines))
        .order_by(stage.c.line)
    ).mappings()
    found = []
    for row in pairs:
        changes = [
            (
                column.name,
                f"{column.name} {shown(column, row[f'stored_{column.stored_as}'])} "
                f"-> {shown(column, row[column.stored_as])}",
            )
            for column in spec.content
            if row[f"stored_{column.stored_as}"] != row[column.stored_as]
        ]
        found.append(
            Problem(
                item.source,
                row[LINE],
                changes[0][0],
                f"{spec.noun} {describe_key(spec, row)} is already stored with other content "
                f"({'; '.join(change for _, change in changes)}): use --replace to change it",
            )
        )
    problems.add_counted("changed", total, found)


@dataclass(frozen=True)
class _Scope:
    """What a contract covers: its products from the first day of its signing month
    through ends_on (spec section 1)."""

    contract_id: str
    products: frozenset[str]  # empty = all products
    starts: date  # first day of the signing month
    ends_on: date | None  # None = open-ended
    line: int | None  # None: stored and not in this load

    def overlap(self, other: _Scope) -> str | None:
        """Why the two contracts cover some usage entry alike, or None."""
        dates = self._common_dates(other)
        if dates is None:
            return None
        if not self.products and not other.products:
            return f"both cover all products {dates}"
        for everything in (self, other):
            if not everything.products:
                return f"{everything.contract_id!r} covers all products, both {dates}"
        common = sorted(self.products & other.products)
        return f"both cover {', '.join(map(repr, common))} {dates}" if common else None

    def _common_dates(self, other: _Scope) -> str | None:
        start = max(self.starts, other.starts)
        ends = [day for day in (self.ends_on, other.ends_on) if day is not None]
        end = min(ends, default=None)
        if end is not None and end < start:
            return None
        return f"from {start}" + (f" through {end}" if end else " on")


def _overlapping_scopes(connection: Connection, item: Staged, problems: ProblemLog) -> None:
    """Two contracts of one account whose scopes and covered dates overlap, incoming
    against all others.

    A stored contract re-delivered in this load counts with its new content.
    """
    stage = item.table
    stored = Contract.__table__
    fields = ("contract_id", "account_id", "products", "signed_on", "ends_on")
    incoming = connection.execute(
        select(stage.c.line, *(stage.c[name] for name in fields)).where(item.accepted)
    ).all()
    others = connection.execute(
        select(*(stored.c[name] for name in fields)).where(
            stored.c.account_id.in_(select(stage.c.account_id)),
            stored.c.contract_id.not_in(select(stage.c.contract_id)),
        )
    ).all()
    by_account: dict[str, list[_Scope]] = defaultdict(list)
    for contract_id, account_id, products, signed_on, ends_on in others:
        by_account[account_id].append(_scope(contract_id, products, signed_on, ends_on, None))
    for line, contract_id, account_id, products, signed_on, ends_on in sorted(incoming):
        scope = _scope(contract_id, products, signed_on, ends_on, line)
        for earlier in by_account[account_id]:
            why = None if earlier.contract_id == contract_id else scope.overlap(earlier)
            if why:
                where = "stored" if earlier.line is None else f"line {earlier.line}"
                problems.add(
                    Problem(
                        item.source,
                        line,
                        "products",
                        f"contract {contract_id!r} overlaps contract "
                        f"{earlier.contract_id!r} ({where}) "
                        f"on account {account_id!r}: {why}",
                    ),
                    "overlap",
                )
        by_account[account_id].append(scope)


def _scope(
    contract_id: str, products: str, signed_on: date, ends_on: date | None, line: int | None
) -> _Scope:
    items = frozenset(item for item in products.split(";") if item)
    return _Scope(contract_id, items, signed_on.replace(day=1), ends_on, line)


def _cycles(connection: Connection, item: Staged, column: str, problems: ProblemLog) -> None:
    """A manager_id (parent_id) chain that comes back to where it started, through the
    stored rows and this load's (which win for the keys they re-deliver).

    Stored rows were checked when loaded, so every new cycle runs through a row of
    this load: the walk starts from those only, and visits each row once.
    """
    spec, stage = item.spec, item.table
    (key,) = stored_names(spec, spec.key)
    parent_of: dict[str, str] = {}
    line_of: dict[str, int] = {}
    for line, child, parent in connection.execute(
        select(stage.c.line, stage.c[key], stage.c[column])
        .where(item.accepted, stage.c[column].is_not(None))
        .order_by(stage.c.line)
    ):
        parent_of[child] = parent
        line_of.setdefault(child, line)
    if not line_of:
        return
    stored = spec.table
    for child, parent in connection.execute(
        select(stored.c[key], stored.c[column]).where(
            stored.c[column].is_not(None), stored.c[key].not_in(select(stage.c[key]))
        )
    ):
        parent_of[child] = parent
    what = column.removesuffix("_id")
    done: set[str] = set()
    for start in line_of:
        path: dict[str, int] = {}  # node -> position on the walk
        node: str | None = start
        while node is not None and node not in done and node not in path:
            path[node] = len(path)
            node = parent_of.get(node)
        if node is not None and node in path:
            cycle = list(path)[path[node] :]
            line = min(line_of[member] for member in cycle if member in line_of)
            problems.add(
                Problem(item.source, line, column, _cycle_message(spec.noun, what, cycle)),
                f"cycle:{column}",
            )
        done.update(path)


def _cycle_message(noun: str, what: str, cycle: list[str]) -> str:
    if len(cycle) == 1:
        return f"{noun} {cycle[0]!r} is its own {what}"
    first = cycle.index(min(cycle))  # the same cycle reads the same from any start
    ring = cycle[first:] + cycle[:first]
    if len(ring) > _CYCLE_SHOWN:
        shown = [*map(repr, ring[:_CYCLE_SHOWN]), f"... ({len(ring):,} {noun}s in all)"]
    else:
        shown = [*map(repr, ring), repr(ring[0])]
    return f"{what}s form a cycle: {' -> '.join(shown)}"


_CYCLE_SHOWN = 10
