"""Real local receivers for the channel tests: an HTTP server for webhooks and the SMS
gateway, and an SMTP server for e-mail, both on free loopback ports."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import message_from_bytes
from email import policy as email_policy
from email.message import Message
from typing import Any

import uvicorn
from aiosmtpd.controller import Controller
from fastapi import FastAPI, Request, Response

from crosscheck_notify.adapters.signing import IDEMPOTENCY_HEADER, SIGNATURE_HEADER, verify

SECRET = "test-webhook-secret"


@dataclass
class Arrival:
    path: str
    key: str
    body: dict[str, Any]
    at: float
    """time.time() when it arrived: the benchmark's lag is measured against it."""


@dataclass
class WebhookReceiver:
    """Accepts signed POSTs; de-duplicates by Idempotency-Key as a receiver should."""

    url: str = ""
    arrivals: list[Arrival] = field(default_factory=list)
    unique: dict[str, Arrival] = field(default_factory=dict)
    failing_paths: set[str] = field(default_factory=set)
    bad_signatures: int = 0

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/{path:path}")
        async def receive(path: str, request: Request) -> Response:
            body = await request.body()
            if not verify(
                SECRET,
                request.headers.get(SIGNATURE_HEADER, ""),
                body,
                datetime.now(UTC),
                tolerance_s=10**9,
            ):
                self.bad_signatures += 1
                return Response(status_code=401)
            if path in self.failing_paths:
                return Response(status_code=503)
            key = request.headers[IDEMPOTENCY_HEADER]
            arrival = Arrival(path, key, json.loads(body), time.time())
            self.arrivals.append(arrival)
            self.unique.setdefault(key, arrival)
            return Response(status_code=200)

        return app

    def on(self, path: str) -> list[Arrival]:
        return [a for a in self.unique.values() if a.path == path]


@contextlib.asynccontextmanager
async def webhook_receiver() -> AsyncIterator[WebhookReceiver]:
    receiver = WebhookReceiver()
    config = uvicorn.Config(
        receiver.app(),
        host="127.0.0.1",
        port=0,
        log_level="warning",
        access_log=False,
        lifespan="off",
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    receiver.url = f"http://127.0.0.1:{port}"
    try:
        yield receiver
    finally:
        server.should_exit = True
        await task


class _Mailbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(message_from_bytes(envelope.content, policy=email_policy.default))
        return "250 OK"


@contextlib.asynccontextmanager
async def smtp_server() -> AsyncIterator[tuple[int, list[Message]]]:
    mailbox = _Mailbox()
    with socket.socket() as probe:  # a free loopback port (the controller needs one up front)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, mailbox.messages
    finally:
        controller.stop()
