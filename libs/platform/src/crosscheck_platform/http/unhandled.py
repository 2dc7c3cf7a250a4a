"""The last line: an unexpected exception becomes a bare 500 with an id to quote to
support; the traceback goes to the log under that id, never to the client.

A middleware rather than an `Exception` handler: Starlette re-raises after calling such
a handler, which would log every failure twice under uvicorn.
"""

from __future__ import annotations

import logging
import uuid

from fastapi import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from crosscheck_platform.http.errors import error_response

log = logging.getLogger(__name__)


class UnhandledErrors:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            error_id = uuid.uuid4().hex
            log.exception(
                "unhandled error", extra={"error_id": error_id, "path": scope.get("path")}
            )
            if started:
                raise  # too late for a clean answer; the server closes the connection
            response = error_response(
                Request(scope),
                500,
                "internal_error",
                "internal_error",
                detail={"error_id": error_id},
            )
            await response(scope, receive, send)
