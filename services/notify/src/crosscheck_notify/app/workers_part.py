"""The deadline workers as a lifespan part: they start after the consumer (so the
schedule tables exist) and stop before the outbox relay."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Mapping
from datetime import datetime
from typing import Any

from crosscheck_contracts.events.notify import Channel
from crosscheck_notify.adapters.channels import (
    EmailSender,
    Sender,
    SignedPoster,
    SmsSender,
    SmtpSettings,
    WebhookSender,
    WebhookSmsGateway,
    http_client,
)
from crosscheck_notify.adapters.directory import Directory, StaticDirectory, TableDirectory
from crosscheck_notify.app.worker import Worker
from crosscheck_notify.settings import NotifySettings
from crosscheck_platform.http.runtime import ServiceRuntime
from crosscheck_platform.outbound import OutboundHttp

WORKERS_STOP_SECONDS = 15.0


def senders(
    settings: NotifySettings, client: OutboundHttp, clock: Callable[[], datetime]
) -> dict[Channel, Sender]:
    poster = SignedPoster(client, settings.webhook_secret, clock)
    out: dict[Channel, Sender] = {Channel.WEBHOOK: WebhookSender(poster)}
    if settings.smtp_host:
        out[Channel.EMAIL] = EmailSender(
            SmtpSettings(
                host=settings.smtp_host,
                port=settings.smtp_port,
                sender=settings.smtp_sender,
                username=settings.smtp_username,
                password=settings.smtp_password,
                start_tls=settings.smtp_start_tls,
            )
        )
    if settings.sms_gateway_url:
        out[Channel.SMS] = SmsSender(WebhookSmsGateway(poster, settings.sms_gateway_url))
    return out


def workers_part(
    settings: NotifySettings,
    clock: Callable[[], datetime],
    *,
    directory: Directory | None = None,
    extra_senders: Mapping[Channel, Sender] | None = None,
) -> Any:
    @contextlib.asynccontextmanager
    async def part(runtime: ServiceRuntime) -> AsyncIterator[None]:
        found = directory or (
            StaticDirectory.from_json(settings.directory_file)
            if settings.directory_file
            else TableDirectory(runtime.database)
        )
        stop = asyncio.Event()
        async with http_client(settings.webhook_timeout_s, settings.webhook_connections) as client:
            channels = {**senders(settings, client, clock), **(extra_senders or {})}
            tasks = [
                asyncio.create_task(
                    Worker(
                        db=runtime.database,
                        store=runtime.event_store,
                        directory=found,
                        senders=channels,
                        policy=settings.policy(),
                        clock=clock,
                        batch_size=settings.batch_size,
                        concurrency=settings.concurrency,
                        lookahead_s=settings.lookahead_s,
                        lease_s=settings.lease_s,
                    ).run(stop, settings.poll_interval_s),
                    name=f"notify-worker-{n}",
                )
                for n in range(settings.workers)
            ]
            try:
                yield
            finally:
                stop.set()
                # Sends in flight finish and are recorded rather than sent twice; claims
                # not yet due are given back.
                if tasks:  # none with workers=0 (an API-only replica)
                    await asyncio.wait(tasks, timeout=WORKERS_STOP_SECONDS)
                for task in tasks:
                    task.cancel()

    return part
