"""A command imports only what it needs: a quick answer never waits for pandas."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import version

from compengine.cli import COMMAND_MODULES, MODULES, _register_commands, app
from tests.conftest import process_environment

PROBE = """
import sys
from compengine.cli import main
code = main({args!r})
print(code, *sorted(m for m in ("pandas", "sqlalchemy", "alembic") if m in sys.modules))
"""


def imported(tmp_path, *args: str) -> list[str]:
    """The exit code, then which heavy libraries a fresh process imported for `args`."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(args=list(args))],
        cwd=tmp_path,
        env=process_environment(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    return done.stdout.split()


def test_version_imports_no_database_library(tmp_path):
    assert imported(tmp_path, "--version") == ["compengine", version("compengine"), "0"]


def test_a_database_error_is_printed_without_pandas_or_alembic(tmp_path):
    assert imported(tmp_path, "--db", "foo", "status") == ["1", "sqlalchemy"]
    assert imported(tmp_path, "status") == ["1", "sqlalchemy"]


def test_every_command_is_mapped_to_its_module():
    _register_commands([])
    names = {command.name for command in app.registered_commands}
    names |= {group.name for group in app.registered_groups}
    assert names == set(COMMAND_MODULES)
    assert set(COMMAND_MODULES.values()) == set(MODULES)
