"""Bundled sample data: a small, realistic ledger and plans for the demo and the README.

The five input files are here, a late usage correction in ``late/`` and the plans in
``plans/``. They ship inside the package, so an installed compengine (a wheel, without
this repository) can set up the same demo with `compengine sample DIR`.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from compengine.errors import UserError

DATA = Path(__file__).parent
PLANS = DATA / "plans"


def copy_sample(target: Path) -> list[Path]:
    """Copy the data and plans into `target` (new or empty); return the files written."""
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise UserError.single(f"{target}: exists and is not an empty folder")
    shutil.copytree(
        DATA, target, ignore=shutil.ignore_patterns("*.py", "__pycache__"), dirs_exist_ok=True
    )
    return sorted(path.relative_to(target) for path in target.rglob("*") if path.is_file())
