"""Row checks of one chunk, vectorized: text chunk in, staging rows and problems out.

Rows that fail a check are staged too (NULL where a value could not be read), so
that their keys still count as known: a payee row with a bad e-mail must not also
make every assignment of that payee an 'unknown payee'. Their lines are kept apart
as rejected, so that checks of content can leave them out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from compengine.errors import Problem
from compengine.ledger.convert import Converted, convert
from compengine.ledger.files import FoundInput
from compengine.ledger.problems import ProblemLog
from compengine.ledger.readers import Chunk

LINE = "line"


@dataclass(frozen=True)
class StagedChunk:
    rows: pa.Table  # line and the stored columns
    ok: np.ndarray  # rows that passed every check
    month: pa.Array | None  # month index of the usage date (usage only)

    @property
    def rejected_lines(self) -> np.ndarray:
        return self.rows[LINE].to_numpy()[~self.ok]


def stage_chunk(found: FoundInput, chunk: Chunk, problems: ProblemLog) -> StagedChunk:
    """Check every cell and row rule of the chunk; problems go to `problems`."""
    spec, source = found.spec, found.source
    converted: dict[str, Converted] = {}
    ok = np.ones(len(chunk), dtype=bool)
    for column in spec.columns:
        text = chunk.text[column.name]
        nul = pc.match_substring(text, "\x00").to_numpy(zero_copy_only=False)
        if nul.any():  # no database stores it in text: report it, stage the rest
            problems.add_rows(
                f"{column.name}:nul",
                source,
                nul,
                chunk.lines,
                lambda _position, line, name=column.name: Problem(
                    source, line, name, "contains a NUL character"
                ),
            )
            ok &= ~nul
            text = pc.replace_substring(text, "\x00", "")
        result = convert(column.kind, text)
        converted[column.name] = result
        for check in result.checks:
            problems.add_rows(
                f"{column.name}:{check.rule}",
                source,
                check.bad,
                chunk.lines,
                lambda position, line, name=column.name, check=check, text=text: Problem(
                    source, line, name, check.message(text[position].as_py())
                ),
            )
            ok &= ~check.bad
    for earlier, later in spec.ordered:
        first, then = converted[earlier].values, converted[later].values
        reversed_ = pc.fill_null(pc.less(then, first), False).to_numpy(zero_copy_only=False)
        problems.add_rows(
            f"{later}<{earlier}",
            source,
            reversed_,
            chunk.lines,
            lambda position, line, first=first, then=then, earlier=earlier, later=later: Problem(
                source,
                line,
                later,
                f"{then[position].as_py()!r} is before {earlier} {first[position].as_py()!r}",
            ),
        )
        ok &= ~reversed_
    columns = {LINE: pa.array(chunk.lines)}
    columns.update({column.stored_as: converted[column.name].values for column in spec.columns})
    month = converted[spec.month_of].month if spec.month_of else None
    return StagedChunk(pa.table(columns), ok, month)
