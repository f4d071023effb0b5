"""The file names of statements (spec section 9): safe on every file system, one per payee.

A payee id may hold any character but control characters; a file is named after it with
every character outside `A-Za-z0-9._-` replaced by `_`. Where two ids give the same name
(`a/b` and `a?b`, or `A` and `a` on a case-insensitive disk) each gets a short hash of its
id, so that no statement overwrites another.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections import Counter
from collections.abc import Iterable
from enum import StrEnum
from pathlib import Path

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")
_STEM_LIMIT = 120  # ids are up to 200 characters; file names stay well below 255 bytes


def safe_stem(payee_id: str) -> str:
    return _UNSAFE.sub("_", payee_id)[:_STEM_LIMIT]


def statement_file_names(payee_ids: Iterable[str], period: str, fmt: str) -> dict[str, str]:
    """{payee_id: '<safe id>[-<hash>]_<period>.<fmt>'}."""
    ids = sorted(set(payee_ids))
    stems = {payee_id: safe_stem(payee_id) for payee_id in ids}
    taken = Counter(stem.casefold() for stem in stems.values())
    names = {}
    for payee_id, stem in stems.items():
        if taken[stem.casefold()] > 1:
            stem = f"{stem}-{hashlib.sha256(payee_id.encode()).hexdigest()[:8]}"
        names[payee_id] = f"{stem}_{period}.{fmt}"
    return names


class StatementFormat(StrEnum):
    """--format of `statement` and `statements`."""

    pdf = "pdf"
    html = "html"


class PaperSize(StrEnum):
    """--paper of `statement` and `statements`."""

    letter = "letter"
    a4 = "a4"


def write_atomically(path: Path, content: bytes) -> None:
    """`content` at `path`, all or nothing: a temporary file beside it, then a rename, so
    that Ctrl-C or a full disk never leaves half a statement."""
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(content)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
