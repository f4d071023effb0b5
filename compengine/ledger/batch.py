"""What a load leaves behind besides rows: its LoadBatch record and its audit event."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from pathlib import Path

from sqlmodel import Session

from compengine.ledger.store import FileCounts
from compengine.storage.models import AuditEvent, LoadBatch


def file_digest(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def record_batch(
    session: Session,
    *,
    directory: Path,
    counts: list[FileCounts],
    digests: dict[str, str],
    actor: str,
    replace: bool,
    at: datetime,
) -> LoadBatch:
    """The LoadBatch row (with its id): who loaded which files when, and what changed."""
    batch = LoadBatch(
        loaded_at=at,
        actor=actor,
        source=str(directory.resolve()),
        replace=replace,
        files=json.dumps(
            {rows.source: {"rows": rows.rows, "sha256": digests[rows.source]} for rows in counts}
        ),
        summary=json.dumps(_summary(counts)),
        content_hash=_combined_hash(digests),
    )
    session.add(batch)
    session.flush()
    return batch


def record_load_event(session: Session, batch: LoadBatch, counts: list[FileCounts]) -> None:
    session.add(
        AuditEvent(
            at=batch.loaded_at,
            actor=batch.actor,
            action="load",
            reason=f"load batch {batch.id} from {batch.source}",
            after=json.dumps(
                {"batch": batch.id, "replace": batch.replace, "files": _summary(counts)}
            ),
        )
    )


def _summary(counts: list[FileCounts]) -> dict[str, dict[str, int]]:
    return {
        rows.source: {
            "rows": rows.rows,
            "new": rows.new,
            "unchanged": rows.unchanged,
            "replaced": rows.replaced,
        }
        for rows in counts
    }


def _combined_hash(digests: dict[str, str]) -> str:
    """One hash of the whole delivery: file names and contents."""
    lines = "".join(f"{source} {digest}\n" for source, digest in sorted(digests.items()))
    return hashlib.sha256(lines.encode()).hexdigest()
