"""The `compengine` command line (spec section 6).

Each module here adds the commands of one step of the data flow; this one wires
them together, resolves the settings, and is the one place where errors become exit
codes (`_Boundary`): a UserError prints its located messages, a database error one
sentence that says what to do, Ctrl-C a line; exit 1, or 130 for Ctrl-C; never a
traceback, never the database password.
"""

from __future__ import annotations

import sys
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from typer.core import TyperGroup

from compengine.cli.common import AppState
from compengine.config import load_settings
from compengine.errors import UserError

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

INTERRUPTED = "interrupted: any unfinished change was rolled back, nothing is half-written"

# The modules that add commands, in the order of `compengine --help`, and the module of
# each command: a command imports only its own module, so that `status` or a database
# error never waits for pandas and the engine. A command missing here still works
# (every module is then imported).
MODULES = (
    "setup",
    "load",
    "plans",
    "results",
    "whatif",
    "cycle",
    "statements",
    "payroll",
    "tokens",
    "serve",
    "bench",
    "sample",
)
COMMAND_MODULES = {
    "init": "setup",
    "load": "load",
    "plan": "plans",
    **dict.fromkeys(("run", "payouts", "exceptions", "explain"), "results"),
    **dict.fromkeys(
        ("approve", "reopen", "lock", "status", "adjust", "hold", "release", "runs", "audit"),
        "cycle",
    ),
    "diff": "whatif",
    **dict.fromkeys(("statement", "statements"), "statements"),
    **dict.fromkeys(("payroll", "export", "exports"), "payroll"),
    "token": "tokens",
    "serve": "serve",
    "bench": "bench",
    "sample": "sample",
}
_GLOBAL_OPTIONS_WITH_VALUES = ("--db", "--user", "--config")


class _Boundary(TyperGroup):
    """Runs the global options and every command, and turns their failures into exit
    codes."""

    def invoke(self, ctx: typer.Context):
        try:
            return super().invoke(ctx)
        except (typer.TyperException, typer.Exit, typer.Abort):
            raise
        except BaseException as error:
            code = report_failure(error, ctx.obj)
            if code is None:
                raise
            raise typer.Exit(code) from None


def report_failure(error: BaseException, app_state: AppState | None) -> int | None:
    """Print what went wrong and return the exit code; None for an error that is a bug
    (it keeps its traceback) or an exit already decided."""
    from sqlalchemy.exc import DBAPIError, SQLAlchemyError

    from compengine.storage.database import describe_database_error, hide_password

    url = _database_of(app_state)
    if _in_chain(error, KeyboardInterrupt):
        print(INTERRUPTED, file=sys.stderr)
        return 130
    if isinstance(error, UserError):
        for problem in error.problems:
            print(hide_password(str(problem), url), file=sys.stderr)
        return 1
    if isinstance(error, SQLAlchemyError):
        # The driver's error, when this one only followed it (PendingRollbackError).
        cause = _in_chain(error, DBAPIError) or error
        print(hide_password(describe_database_error(cause, url), url), file=sys.stderr)
        return 1
    return None


def _in_chain(error: BaseException, kind: type[BaseException]) -> BaseException | None:
    """`error` or the first error it was raised from or during that is a `kind`
    (Ctrl-C during a statement surfaces as SQLAlchemy's PendingRollbackError)."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, kind):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def _database_of(app_state: AppState | None) -> URL | None:
    if app_state is None:
        return None
    try:
        return app_state.database
    except UserError:
        return None


def _print_version(value: bool) -> None:
    if not value:
        return
    from importlib.metadata import PackageNotFoundError, version

    try:
        number = version("compengine")
    except PackageNotFoundError:
        number = "(version unknown: not installed as a package)"
    typer.echo(f"compengine {number}")
    raise typer.Exit()


app = typer.Typer(
    cls=_Boundary,
    help="Incentive compensation for usage-based sales.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _global_options(
    ctx: typer.Context,
    db: str | None = typer.Option(
        None,
        "--db",
        help="Database URL (default: COMPENGINE_DB, else compengine.toml, else ./compengine.db).",
    ),
    user: str | None = typer.Option(
        None,
        "--user",
        help="Who is acting (default: COMPENGINE_USER, else compengine.toml, else the OS user).",
    ),
    config: Path | None = typer.Option(
        None,
        "--config",
        metavar="FILE",
        help="Settings file (default: compengine.toml in the working directory, if any).",
    ),
    _version: bool = typer.Option(
        False,
        "--version",
        callback=_print_version,
        is_eager=True,
        help="Print compengine's version and exit.",
    ),
) -> None:
    settings = load_settings(db=db, user=user, config=config)
    ctx.obj = AppState(
        url=settings.db.value,
        actor=settings.user,
        plans=settings.plans,
        url_origin=settings.db.origin,
    )


_registered: set[str] = set()


def _register_commands(argv: list[str]) -> None:
    """Add the module of the command in `argv` to the app (none for --version; every
    module for --help, no command, or a command not in COMMAND_MODULES)."""
    command = _command_name(argv)
    if command is None and "--version" in argv:
        return
    for name in (COMMAND_MODULES[command],) if command in COMMAND_MODULES else MODULES:
        if name not in _registered:
            import_module(f"compengine.cli.{name}").register(app)
            _registered.add(name)


def _command_name(argv: list[str]) -> str | None:
    tokens = iter(argv)
    for token in tokens:
        if token in _GLOBAL_OPTIONS_WITH_VALUES:
            next(tokens, None)
        elif not token.startswith("-"):
            return token
    return None


def main(argv: list[str] | None = None) -> int:
    """Run one command; return its exit code (0 ok, 1 user error, 2 usage error,
    130 interrupted). Failures are reported by `_Boundary`; Typer reports usage errors."""
    argv = sys.argv[1:] if argv is None else argv
    try:
        _register_commands(argv)
        app(args=argv, prog_name="compengine", standalone_mode=True)
    except KeyboardInterrupt:  # while the command's modules were still being imported
        print(INTERRUPTED, file=sys.stderr)
        return 130
    except SystemExit as done:
        return done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    return 0


def entry_point() -> None:
    sys.exit(main())
