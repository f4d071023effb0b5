"""Settings: where the database is, where the plans are, who is acting.

Resolved once per command. Highest first: command-line options, environment variables
(COMPENGINE_DB, COMPENGINE_PLANS, COMPENGINE_USER), the settings file (`--config FILE`,
else `compengine.toml` in the working directory), defaults. Relative paths in a
settings file are relative to the file's folder, so a file works from anywhere.
"""

from __future__ import annotations

import getpass
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from compengine.errors import Problem, UserError

CONFIG_FILE = "compengine.toml"
DEFAULT_DB_FILE = "compengine.db"
DEFAULT_PLANS = Path("plans")
KEYS = ("db", "plans", "user")
ENVIRONMENT = {"db": "COMPENGINE_DB", "plans": "COMPENGINE_PLANS", "user": "COMPENGINE_USER"}
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_TOML_PLACE = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")
_SQLITE_RELATIVE = re.compile(r"^(sqlite(?:\+\w+)?:///)(?!/|file:|:memory:)(.+)$")


@dataclass(frozen=True)
class Origin:
    """Where a setting came from, so that a message about it points there."""

    source: str  # "--db", "COMPENGINE_DB", "compengine.toml" or "" (the default)
    line: int | None = None
    field: str | None = None

    def problem(self, message: str) -> Problem:
        return Problem(self.source, self.line, self.field, message)


@dataclass(frozen=True)
class Setting:
    value: str
    origin: Origin


@dataclass(frozen=True)
class Settings:
    db: Setting
    plans: Path
    user: str


def load_settings(
    *,
    db: str | None = None,
    user: str | None = None,
    config: Path | None = None,
    cwd: Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """The settings of one command; a UserError located in the file or option at fault."""
    cwd = cwd or Path.cwd()
    environ = os.environ if environ is None else environ
    from_file = _read_file(config, "--config") if config else _read_file(cwd / CONFIG_FILE, None)
    chosen: dict[str, Setting] = {}
    for key in KEYS:
        given = {"db": db, "user": user}.get(key)
        if given:
            chosen[key] = Setting(given, Origin(f"--{key}"))
        elif environ.get(ENVIRONMENT[key]):
            chosen[key] = Setting(environ[ENVIRONMENT[key]], Origin(ENVIRONMENT[key]))
        elif key in from_file:
            chosen[key] = from_file[key]
    user_setting = chosen.get("user")
    if user_setting is not None:
        _check_user(user_setting)
    return Settings(
        db=chosen.get("db") or Setting(default_database_url(cwd), Origin("")),
        plans=Path(chosen["plans"].value) if "plans" in chosen else DEFAULT_PLANS,
        user=user_setting.value if user_setting else operating_system_user(),
    )


def default_database_url(cwd: Path) -> str:
    return f"sqlite:///{cwd / DEFAULT_DB_FILE}"


def database_url(explicit: str | None = None) -> str:
    """--db beats COMPENGINE_DB beats the settings file beats ./compengine.db (for
    Alembic run on its own; compengine's commands use load_settings)."""
    return load_settings(db=explicit).db.value


def operating_system_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def _check_user(setting: Setting) -> None:
    if not 1 <= len(setting.value) <= 200 or _CONTROL.search(setting.value):
        raise UserError(
            [setting.origin.problem("must be 1-200 characters without control characters")]
        )


def _read_file(path: Path, option: str | None) -> dict[str, Setting]:
    """The settings in a file; {} when there is no compengine.toml (a --config FILE must
    exist)."""
    shown = str(path) if option else CONFIG_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        if option is None:
            return {}
        raise UserError.single(f"{option}: {path}: no such file") from None
    except UnicodeDecodeError:
        raise UserError([Problem(shown, None, None, "is not UTF-8 text")]) from None
    except OSError as error:
        raise UserError([Problem(shown, None, None, f"cannot read: {error.strerror}")]) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise UserError([_toml_problem(shown, error)]) from None
    lines = text.splitlines()
    problems: list[Problem] = []
    settings: dict[str, Setting] = {}
    for key, value in data.items():
        origin = Origin(shown, _line_of(key, lines), key)
        if key not in KEYS:
            problems.append(origin.problem(f"unknown setting (known: {', '.join(KEYS)})"))
        elif not isinstance(value, str):
            problems.append(origin.problem(f"must be a string, not {_toml_type(value)}"))
        elif not value.strip():
            problems.append(origin.problem("must not be empty"))
        else:
            settings[key] = Setting(_relative_to(path.parent, key, value), origin)
    if problems:
        raise UserError(problems)
    return settings


def _relative_to(folder: Path, key: str, value: str) -> str:
    """A relative plans folder or SQLite file of a settings file, made absolute from its
    folder."""
    if key == "plans":
        return str(folder.absolute() / value)
    if key == "db" and (relative := _SQLITE_RELATIVE.match(value)):
        return f"{relative.group(1)}{folder.absolute() / relative.group(2)}"
    return value


def _line_of(key: str, lines: list[str]) -> int | None:
    """The line where a top-level key is set (`key = ...` or a `[key]` table)."""
    pattern = re.compile(rf"""^\s*(\[\s*)?["']?{re.escape(key)}["']?\s*[=\].]""")
    return next((number for number, line in enumerate(lines, 1) if pattern.match(line)), None)


def _toml_problem(shown: str, error: tomllib.TOMLDecodeError) -> Problem:
    message = str(error)
    place = _TOML_PLACE.search(message)
    if place is None:
        return Problem(shown, None, None, f"not valid TOML: {message}")
    what = f"not valid TOML: {message[: place.start()]} (column {place.group(2)})"
    return Problem(shown, int(place.group(1)), None, what)


def _toml_type(value: object) -> str:
    names = {bool: "a boolean", int: "a number", float: "a number", dict: "a table", list: "a list"}
    return next((name for kind, name in names.items() if isinstance(value, kind)), "a date")
