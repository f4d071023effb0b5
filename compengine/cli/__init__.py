"""The `compengine` command line (spec section 6).

Each module here adds the commands of one step of the data flow; this one wires
them together and turns user errors into exit code 1 with the located messages.
"""

from __future__ import annotations

import sys

import typer

from compengine.cli import bench, cycle, load, plans, results, sample, setup, whatif
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
    db: str | None = typer.Option(
        None, "--db", help="Database URL (default: COMPENGINE_DB or ./compengine.db)."
    ),
    user: str | None = typer.Option(None, "--user", help="Who is acting (default: the OS user)."),
) -> None:
    ctx.obj = AppState(url=database_url(db), actor=current_actor(user))


for module in (setup, load, plans, results, whatif, cycle, bench, sample):
    module.register(app)


def main(argv: list[str] | None = None) -> int:
    """Run one command; return its exit code (0 ok, 1 user error, 2 usage error).

    Typer's standalone mode reports usage errors itself (exit 2); a UserError
    raised by a command becomes its located messages on stderr and exit 1.
    """
    try:
        app(args=argv, prog_name="compengine", standalone_mode=True)
    except UserError as error:
        for problem in error.problems:
            print(str(problem), file=sys.stderr)
        return 1
    except SystemExit as done:
        return done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    return 0


def entry_point() -> None:
    sys.exit(main())
