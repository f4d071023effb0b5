"""Request bodies have a bound (64 KiB): the API's bodies are a few short fields, so a
larger one is refused with 413 before it is read, or as soon as it passes the bound."""

from __future__ import annotations

from fastapi import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from compengine.api.problems import problem_response

MAX_BODY_BYTES = 64 * 1024
TOO_LARGE = f"the request body is larger than {MAX_BODY_BYTES} bytes"


class BodyLimit:
    """ASGI middleware refusing bodies over MAX_BODY_BYTES."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES):
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            status = 413 if declared.isdigit() else 400
            detail = TOO_LARGE if status == 413 else "the Content-Length header is not a number"
            await problem_response(
                status, "Content Too Large" if status == 413 else "Bad Request", detail
            )(scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.limit:
                raise HTTPException(413, TOO_LARGE)
            return message

        await self.app(scope, counted, send)
