"""`compengine serve`: the REST API and the web pages, under uvicorn."""

from __future__ import annotations

from pathlib import Path

import typer

from compengine.cli.common import PLANS_OPTION, state


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve(
        ctx: typer.Context,
        host: str = typer.Option("127.0.0.1", "--host"),
        port: int = typer.Option(8000, "--port", min=1, max=65535),
        plans: Path | None = PLANS_OPTION,
    ) -> None:
        """Serve the REST API (/api/v1) and the web pages (/) on this database."""
        import uvicorn

        from compengine.server import ServerConfig, create_app, log_config, server_engine

        app_state = state(ctx)
        engine = server_engine(app_state.database)
        try:
            config = ServerConfig(engine=engine, plans=app_state.plans_path(plans))
            uvicorn.run(
                create_app(config), host=host, port=port, log_level="info", log_config=log_config()
            )
        finally:
            engine.dispose()
