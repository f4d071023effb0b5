"""The `compengine` command line (spec section 6).

Each module here adds the commands of one step of the data flow; this one wires
them together and turns user errors into exit code 1 with the located messages.
"""

from __future__ import annotations

import sys

import typer

from compengine.cli import load, plans, setup
from compengine.cli.common import AppState
from compengine.config import current_actor, database_url
from compengine.errors import UserError

app = typer.Typer(
    help="Incentive compensation for usage-based sales.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _global_options(
    ctx: typer.Context,
    db: str | None = typer.Option(None, "--db", help="Database URL (default: COMPENGINE_DB or ./compengine.db)."),
    user: str | None = typer.Option(None, "--user", help="Who is acting (default: the OS user)."),
) -> None:
    ctx.obj = AppState(url=database_url(db), actor=current_actor(user))


for module in (setup, load, plans):
    module.register(app)


def main(argv: list[str] | None = None) -> int:
    """Run one command; return its exit code (0 ok, 1 user error, 2 usage error)."""
    import click

    try:
        app(args=argv, prog_name="compengine", standalone_mode=False)
    except UserError as error:
        for problem in error.problems:
            print(str(problem), file=sys.stderr)
        return 1
    except click.exceptions.Exit as done:
        return done.exit_code
    except click.exceptions.Abort:
        print("Aborted.", file=sys.stderr)
        return 1
    except click.ClickException as error:
        error.show()
        return error.exit_code
    return 0


def entry_point() -> None:
    sys.exit(main())
