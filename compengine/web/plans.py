"""The plan files the server was started with, read on each request that needs them, as
each CLI command reads them: an edit to the files shows on the next page."""

from __future__ import annotations

from fastapi import Request

from compengine.plan.load import load_plans
from compengine.plan.model import PlanVersion


def server_plans(request: Request) -> list[PlanVersion]:
    """The plan versions; a UserError (bad plan files) becomes an error page."""
    return load_plans([request.app.state.config.plans])
