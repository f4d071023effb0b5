"""Finding the input files in DIR (spec section 1): the five names, and nothing else
that looks like one.

Only names and file types are looked at here, never content, so a problem found
here cannot show any of a file that DIR merely links to.
"""

from __future__ import annotations

import errno
import stat
from pathlib import Path

from compengine.errors import Problem, UserError
from compengine.ledger.files import BY_NAME, INPUT_FILES, SUFFIXES, FoundInput


def find_inputs(directory: Path) -> list[FoundInput]:
    """The input files present in DIR, in load order; a UserError when there are none.

    Every `.csv` or `.parquet` name in DIR must be one of the five, spelt exactly,
    and name a readable regular file (a link to one is followed); other names are
    ignored. Nothing here reads a file's content, so a problem never shows any.
    """
    if not directory.is_dir():
        raise UserError.single(f"{directory}: not a directory")
    try:
        paths = sorted(directory.iterdir())
    except OSError as error:
        raise UserError.single(f"{directory}: cannot be read ({error.strerror})") from error
    problems: list[Problem] = []
    present: dict[str, list[Path]] = {spec.name: [] for spec in INPUT_FILES}
    for path in paths:
        stem, suffix = path.stem, path.suffix
        if suffix.lower() not in SUFFIXES:
            continue
        problem = _name_problem(stem, suffix) or _file_problem(path)
        if problem:
            shown = path.name if path.name.isprintable() else repr(path.name)
            problems.append(Problem(shown, None, None, problem))
        else:
            present[stem].append(path)
    found: list[FoundInput] = []
    for spec in INPUT_FILES:
        paths = present[spec.name]
        if len(paths) > 1:
            problems.append(
                Problem(
                    paths[0].name,
                    None,
                    None,
                    f"both {paths[0].name} and {paths[1].name} are present: keep one",
                )
            )
        elif paths:
            found.append(FoundInput(spec, paths[0]))
    if problems:
        raise UserError(problems)
    if not found:
        raise UserError.single(
            f"{directory}: no input files (expected any of {_EXPECTED}, "
            "or .parquet files of the same names)"
        )
    return found


_EXPECTED = ", ".join(f"{spec.name}.csv" for spec in INPUT_FILES)


def _name_problem(stem: str, suffix: str) -> str | None:
    """Why a .csv/.parquet name is not an input name: a misspelt file must not be skipped."""
    if stem in BY_NAME and suffix in SUFFIXES:
        return None
    if stem.lower() in BY_NAME:
        return f"file names are lowercase: rename it to {stem.lower()}{suffix.lower()}"
    return f"not an input file name (the input files are {_EXPECTED}, or .parquet)"


def _file_problem(path: Path) -> str | None:
    """Why an input name cannot be read as a file (a folder, FIFO, dangling link ...)."""
    try:
        mode = path.stat().st_mode
    except OSError as error:
        if error.errno == errno.ENOENT and path.is_symlink():
            return "is a link to nothing (its target does not exist)"
        return f"cannot be read ({error.strerror})"
    if stat.S_ISDIR(mode):
        return "is a folder, not a file"
    if not stat.S_ISREG(mode):
        return "is not a regular file (a FIFO, socket or device cannot be loaded)"
    try:
        path.open("rb").close()
    except OSError as error:
        return f"cannot be read ({error.strerror})"
    return None
