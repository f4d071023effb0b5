"""`compengine token create|list|revoke`: the credentials of the API and web pages."""

from __future__ import annotations

import json

import typer

from compengine.cli.common import state
from compengine.cli.output import Format, print_table, write_csv
from compengine.storage.locking import exclusive

TOKEN_COLUMNS = ["name", "role", "payee_id", "created_at", "created_by", "last_used_at"]


def _time(value) -> str:
    return value.isoformat(timespec="seconds") if value is not None else ""


def register(app: typer.Typer) -> None:
    token_app = typer.Typer(help="API tokens: create (shown once), list, revoke.")
    app.add_typer(token_app, name="token")

    @token_app.command("create")
    def create(
        ctx: typer.Context,
        name: str = typer.Option(..., "--name", help="Who uses it: the actor in the audit log."),
        role: str = typer.Option(..., "--role", help="ops | payroll | rep"),
        payee: str | None = typer.Option(None, "--payee", help="The payee of a rep token."),
    ) -> None:
        """Create a token and print it, alone on stdout, this one time only."""
        from compengine.access.tokens import create_token, parse_role

        app_state = state(ctx)
        with exclusive(app_state.engine) as session:
            token = create_token(session, name, parse_role(role), payee, app_state.actor)
        typer.echo(token)

    @token_app.command("list")
    def list_(ctx: typer.Context, output: Format = typer.Option(Format.table, "--format")) -> None:
        """Every token's name, role, payee, creation and last use (never the token)."""
        from sqlmodel import Session

        from compengine.access.tokens import list_tokens

        with Session(state(ctx).engine) as session:
            records = [
                {
                    "name": row.name,
                    "role": row.role,
                    "payee_id": row.payee_id or "",
                    "created_at": _time(row.created_at),
                    "created_by": row.created_by,
                    "last_used_at": _time(row.last_used_at),
                }
                for row in list_tokens(session)
            ]
        if output is Format.json:
            typer.echo(json.dumps(records, indent=2))
        elif output is Format.csv:
            write_csv(records, TOKEN_COLUMNS)
        else:
            print_table(records, TOKEN_COLUMNS, "no tokens yet (compengine token create)")

    @token_app.command("revoke")
    def revoke(ctx: typer.Context, name: str = typer.Option(..., "--name")) -> None:
        """Delete a token: its requests and web sessions stop working at once."""
        from compengine.access.tokens import revoke_token

        app_state = state(ctx)
        with exclusive(app_state.engine) as session:
            revoke_token(session, name, app_state.actor)
        typer.echo(f"token {name} revoked")
