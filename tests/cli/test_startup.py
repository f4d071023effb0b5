"""A command imports only what it needs: a quick answer never waits for pandas, and
`--help` imports no command at all (issue 14, target 1)."""

from __future__ import annotations

import inspect
import subprocess
import sys
from importlib import import_module

import pytest
import typer
from typer.main import get_group

from compengine.cli import COMMANDS
from tests.conftest import process_environment
from tests.cycles.conftest import PLAN

# What the light commands must not wait for: the engine's dataframes, the statements'
# renderer, the web server.
HEAVY = ("pandas", "numpy", "pyarrow", "duckdb", "weasyprint", "jinja2", "fastapi", "uvicorn")
PROBE = """
import sys
from compengine.cli import main
code = main({args!r})
print(code, *sorted(m for m in {watched!r} if m in sys.modules))
"""


def imported(cwd, *args: str, watched: tuple[str, ...] = ("pandas", "sqlalchemy", "alembic")):
    """The exit code, then which of `watched` a fresh process imported for `args` (the
    last line of its output)."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(args=list(args), watched=watched)],
        cwd=cwd,
        env=process_environment(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    return done.stdout.splitlines()[-1].split()


def test_version_imports_no_database_library(tmp_path):
    assert imported(tmp_path, "--version") == ["0"]


def test_a_database_error_is_printed_without_pandas_or_alembic(tmp_path):
    assert imported(tmp_path, "--db", "foo", "status") == ["1", "sqlalchemy"]
    assert imported(tmp_path, "status") == ["1", "sqlalchemy"]


def test_help_imports_no_command_module_and_no_database_library(tmp_path):
    modules = tuple(f"compengine.cli.{listed.module}" for listed in COMMANDS.values())
    assert imported(tmp_path, "--help", watched=(*modules, *HEAVY, "sqlalchemy")) == ["0"]


def test_a_mistyped_command_is_answered_from_the_table(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "compengine", "stauts"],
        cwd=tmp_path,
        env=process_environment(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert "Did you mean 'status'" in done.stderr


@pytest.mark.parametrize(
    "command",
    [
        ("status",),
        ("payouts", "--period", "2027-01"),
        ("explain", "--payee", "ae1", "--period", "2027-01"),
        ("approve", "--period", "2027-01"),
    ],
    ids=lambda command: command[0],
)
def test_cycle_commands_start_without_dataframes_renderer_or_server(
    loaded, db_url, tmp_path, command
):
    assert loaded("run", "--period", "2027-01", "--plans", PLAN).code == 0
    assert imported(tmp_path, "--db", db_url, *command, watched=HEAVY) == ["0"]


def _first_paragraph(help_text: str) -> str:
    return " ".join(inspect.cleandoc(help_text).split("\n\n")[0].split())


def test_the_table_lists_every_command_with_its_module_and_help():
    """--help is printed from COMMANDS alone: it must name each command its module really
    adds, with that command's own help."""
    added: dict[str, str] = {}
    for module in dict.fromkeys(listed.module for listed in COMMANDS.values()):
        app = typer.Typer()
        import_module(f"compengine.cli.{module}").register(app)
        app.callback()(lambda: None)  # a group even when the module adds one command
        for name, command in get_group(app).commands.items():
            assert name not in added, f"{name} is added by {module} and {added[name]}"
            added[name] = module
            assert _first_paragraph(command.help or "") == COMMANDS[name].summary, name
    assert added == {name: listed.module for name, listed in COMMANDS.items()}
