"""The file names of statements in a folder (spec section 9).

A payee id may hold any character but control characters, so a name keeps only
`A-Za-z0-9._-` (everything else becomes `_`), and two ids that would share a name get
a short hash of the id each. Names are compared without case, since a folder on macOS
or Windows cannot hold `Ann_2027-07.pdf` and `ann_2027-07.pdf` side by side.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")
# First try 8 hex digits; the full digest only if two ids still share a name.
_HASH_WIDTHS = (8, 64)
FORMATS = ("pdf", "html")


def safe_stem(payee_id: str) -> str:
    return _UNSAFE.sub("_", payee_id)


def statement_file_names(payee_ids: Iterable[str], period: str, fmt: str) -> dict[str, str]:
    """{payee id: file name}, e.g. 'ann.lee_2027-07.pdf', unique within the ids given."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown statement format {fmt!r}")
    ids = sorted(set(payee_ids))
    plain = {payee_id: f"{safe_stem(payee_id)}_{period}.{fmt}" for payee_id in ids}
    for width in _HASH_WIDTHS:
        shared = Counter(name.lower() for name in plain.values())
        names = {
            payee_id: (
                f"{safe_stem(payee_id)}_{_short_hash(payee_id, width)}_{period}.{fmt}"
                if shared[name.lower()] > 1
                else name
            )
            for payee_id, name in plain.items()
        }
        if len({name.lower() for name in names.values()}) == len(names):
            return names
    raise AssertionError("two payee ids share a full sha256 digest")


def _short_hash(payee_id: str, width: int) -> str:
    return hashlib.sha256(payee_id.encode("utf-8")).hexdigest()[:width]
