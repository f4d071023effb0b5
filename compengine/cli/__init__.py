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
from typing import TYPE_CHECKING, NamedTuple

import click
import typer
from typer.core import TyperGroup
from typer.main import get_group

from compengine.cli.common import AppState
from compengine.config import load_settings
from compengine.errors import UserError

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

INTERRUPTED = "interrupted: any unfinished change was rolled back, nothing is half-written"


class Listed(NamedTuple):
    """A command as `compengine --help` lists it, without importing it."""

    module: str  # compengine.cli.<module> adds the command with its `register(app)`
    summary: str  # the first paragraph of the command's help, as --help shows it


# Every command, in the order of `compengine --help`. A command imports only its own
# module, so that `status` or a database error never waits for pandas and the engine,
# and `--help` imports none: it is printed from this table, which
# tests/cli/test_startup.py holds to the commands the modules really add. A new
# command is one line here.
COMMANDS = {
    "init": Listed("setup", "Create or migrate the database schema (Alembic)."),
    "load": Listed(
        "load", "Load the CSV/Parquet files in DIR: all of them or, on any problem, nothing."
    ),
    "run": Listed(
        "results", "Compute the period's payout lines (replaces the period's earlier run)."
    ),
    "payouts": Listed("lines", "The period's payout lines."),
    "exceptions": Listed(
        "results",
        "Unassigned credit and warnings of the period, as of now; configuration errors go "
        "to stderr with exit 1, as they would fail `run`.",
    ),
    "explain": Listed("lines", "Each of a payee's lines in the period with the numbers behind it."),
    "diff": Listed(
        "whatif",
        "What-if: compute the period with these plan files and show, per payee and "
        "component, the stored amount, the new amount and the difference. Writes nothing.",
    ),
    "approve": Listed("cycle", "calculated -> approved: freezes the period's lines."),
    "reopen": Listed("cycle", "approved -> calculated, with a reason."),
    "lock": Listed("cycle", "approved -> locked: final; payroll pulls only locked periods."),
    "status": Listed(
        "cycle", "Each period's state, last run (UTC), totals, and whether it is stale."
    ),
    "adjust": Listed(
        "cycle", "Add a manual payout line (kept across re-runs; reverse it with a negative one)."
    ),
    "hold": Listed("cycle", "Withhold all of a payee's lines in one period."),
    "release": Listed("cycle", "Lift a hold while the period is not locked."),
    "runs": Listed("cycle", "The run records (times in UTC)."),
    "audit": Listed("cycle", "The audit log, oldest first (times in UTC)."),
    "bridge": Listed(
        "analytics",
        "How run rate moved from --from to --to: churn, existing accounts, new commitments "
        "and how much of them was realized.",
    ),
    "windows": Listed(
        "analytics",
        "The ramp window the data suggests: per group, the percentiles of the contracts' "
        "ramp lengths and their mean normalized ramp curve.",
    ),
    "alerts": Listed(
        "alerts",
        "Ramping contracts behind their curve, contracts with no first purchase yet, and "
        "contracts below their retention floor, largest money at risk first. Writes nothing.",
    ),
    "statement": Listed(
        "statements",
        "A payee's payout statement of a period (PDF/A-3b with lines.csv, or HTML).",
    ),
    "statements": Listed(
        "statements", "Write the period's statements and manifest.csv into DIR, all or nothing."
    ),
    "payroll": Listed(
        "payroll",
        "A locked period's pay per payee and earnings code (paid lines and adjustments).",
    ),
    "export": Listed("payroll", "Record an export batch of a locked period, exactly once per key."),
    "exports": Listed(
        "payroll",
        "The export batches (of a period), or one batch's rows (--format csv: its exact "
        "bytes, the same as every earlier pull).",
    ),
    "token": Listed("tokens", "API tokens: create (shown once), list, revoke."),
    "serve": Listed(
        "serve", "Serve the REST API (/api/v1) and the web pages (/) on this database."
    ),
    "sample": Listed(
        "sample", "Copy the sample data (the five input files, late/) and plans (plans/) into DIR."
    ),
    "plan": Listed("plans", "Plan files (spec section 3)."),
    "bench": Listed("bench", "Benchmarks on synthetic data."),
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
    ctx.call_on_close(ctx.obj.close)


_registered: set[str] = set()  # modules already on `app` (tests run many commands)


def _command_group(argv: list[str]) -> click.Group:
    """The app with the module of the command in `argv` (none for --version), or with
    the listed commands only (for --help, no command, or a command not in COMMANDS:
    the listing and Click's "did you mean" need their names, not their code)."""
    command = _command_name(argv)
    if command in COMMANDS and COMMANDS[command].module not in _registered:
        import_module(f"compengine.cli.{COMMANDS[command].module}").register(app)
        _registered.add(COMMANDS[command].module)
    group = get_group(app)
    if command not in COMMANDS and "--version" not in argv:
        for name, listed in COMMANDS.items():
            if name not in group.commands:
                group.add_command(click.Command(name, help=listed.summary, add_help_option=False))
    return group


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
        _command_group(argv).main(args=argv, prog_name="compengine", standalone_mode=True)
    except KeyboardInterrupt:  # while the command's modules were still being imported
        print(INTERRUPTED, file=sys.stderr)
        return 130
    except SystemExit as done:
        return done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    return 0


def entry_point() -> None:
    sys.exit(main())
