"""The last line: an unexpected exception becomes a bare 500 with an id to quote to
support; the traceback goes to the log under that id, never to the client. A database
or broker that is away for now (see `transient`) is a 503 with Retry-After instead.

A middleware rather than an `Exception` handler: Starlette re-raises after calling such
a handler, which would log every failure twice under uvicorn.
"""

from __future__ import annotations

import logging
import uuid

from fastapi import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from crosscheck_platform.http.errors import error_response
from crosscheck_platform.http.transient import RETRY_AFTER_SECONDS, is_transient

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
        except Exception as exc:
            error_id = uuid.uuid4().hex
            transient = is_transient(exc)
            extra = {"error_id": error_id, "path": scope.get("path")}
            if transient:
                # Expected while a dependency restarts, and then by the hundred: one
                # line each, without the traceback.
                log.warning("infrastructure unavailable: %r", exc, extra=extra)
            else:
                log.exception("unhandled error", extra=extra)
            if started:
                raise  # too late for a clean answer; the server closes the connection
            if transient:
                response = error_response(
                    Request(scope),
                    503,
                    "unavailable",
                    "unavailable",
                    detail={"error_id": error_id},
                    headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
                )
            else:
                response = error_response(
                    Request(scope),
                    500,
                    "internal_error",
                    "internal_error",
                    detail={"error_id": error_id},
                )
            await response(scope, receive, send)
