"""Delivery channels: webhook, e-mail over SMTP, SMS through a gateway.

Every send carries the notice's idempotency key (its id): a notice re-sent after a
worker died between sending and recording reaches the receiver with the same key, and
the receiver drops the repeat. A failure says whether trying again could help.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Protocol, runtime_checkable

import aiosmtplib

from crosscheck_contracts.events.notify import Channel, NoticeKind, RecipientRole
from crosscheck_notify.adapters.signing import IDEMPOTENCY_HEADER, SIGNATURE_HEADER, sign
from crosscheck_notify.adapters.templates import Message
from crosscheck_platform.clock import CHINA_STANDARD_TIME
from crosscheck_platform.outbound import HttpError, OutboundHttp, Request


@dataclass(frozen=True)
class Outgoing:
    key: str
    """The idempotency key: the notice id."""
    hazard_id: str
    kind: NoticeKind
    recipient_role: RecipientRole
    address: str
    message: Message


class DeliveryFailed(Exception):
    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


class Sender(Protocol):
    channel: Channel

    async def send(self, outgoing: Outgoing) -> None:
        """Deliver or raise DeliveryFailed."""
        ...


@runtime_checkable
class Preparing(Protocol):
    """A sender that can do its CPU work (encoding, signing) before the notice is due."""

    def prepare(self, outgoing: Outgoing, at: datetime) -> Callable[[], Awaitable[None]]:
        """What `send` would do at `at`, ready to run; DeliveryFailed when it cannot be."""
        ...


def prepare(sender: Sender, outgoing: Outgoing, at: datetime) -> Callable[[], Awaitable[None]]:
    if isinstance(sender, Preparing):
        return sender.prepare(outgoing, at)
    return lambda: sender.send(outgoing)


def http_client(timeout_s: float = 10.0, connections: int = 64) -> OutboundHttp:
    """One pooled keep-alive HTTP client for all webhook sends of a process."""
    return OutboundHttp(
        connections=connections, timeout_s=timeout_s, user_agent="crosscheck-notify"
    )


class SignedPoster:
    """HTTP POST of a JSON body with an HMAC signature and an idempotency key, retried
    with back-off on network errors, 408, 429 and 5xx; other 4xx are permanent."""

    def __init__(
        self,
        client: OutboundHttp,
        secret: str,
        clock: Callable[[], datetime],
        retry_delays: Sequence[float] = (0.2, 1.0),
    ) -> None:
        self.client = client
        self.secret = secret
        self.clock = clock
        self.retry_delays = tuple(retry_delays)

    async def post(self, url: str, payload: dict[str, str], key: str) -> None:
        await self.prepare(url, payload, key, self.clock())()

    def prepare(
        self, url: str, payload: dict[str, str], key: str, at: datetime
    ) -> Callable[[], Awaitable[None]]:
        """The POST encoded and signed for the instant `at` (its due time), so firing it
        then costs only the I/O; a retry is signed again at its own time."""
        body = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()
        first = self._request(url, body, key, at)

        async def send() -> None:
            request = first
            reason = ""
            for delay in (*self.retry_delays, None):
                try:
                    status = (await self.client.send(request)).status
                except HttpError as exc:
                    reason = f"{type(exc).__name__}: {exc}"
                else:
                    if status < 300:
                        return
                    reason = f"HTTP {status}"
                    if status < 500 and status not in (408, 429):
                        raise DeliveryFailed(reason, permanent=True)
                if delay is None:
                    break
                await asyncio.sleep(delay)
                request = self._request(url, body, key, self.clock())
            raise DeliveryFailed(reason)

        return send

    def _request(self, url: str, body: bytes, key: str, at: datetime) -> Request:
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            IDEMPOTENCY_HEADER: key,
            SIGNATURE_HEADER: sign(self.secret, body, at),
        }
        try:
            return self.client.prepare(url, body, headers)
        except HttpError as exc:
            raise DeliveryFailed(f"{type(exc).__name__}: {exc}", permanent=True) from exc


class WebhookSender:
    channel = Channel.WEBHOOK

    def __init__(self, poster: SignedPoster) -> None:
        self.poster = poster

    async def send(self, outgoing: Outgoing) -> None:
        await self.prepare(outgoing, self.poster.clock())()

    def prepare(self, outgoing: Outgoing, at: datetime) -> Callable[[], Awaitable[None]]:
        message = outgoing.message
        return self.poster.prepare(
            outgoing.address,
            {
                "notice_id": outgoing.key,
                "hazard_id": outgoing.hazard_id,
                "kind": outgoing.kind.value,
                "recipient_role": outgoing.recipient_role.value,
                "language": message.language,
                "subject": message.subject,
                "text": message.body,
                **message.facts,
            },
            outgoing.key,
            at,
        )


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    sender: str
    username: str | None = None
    password: str | None = None
    start_tls: bool = False
    timeout_s: float = 10.0


class EmailSender:
    """Plain-text mail over SMTP. SMTP itself has no idempotency; the key goes into the
    Message-ID (and an Idempotency-Key header), by which mail systems drop repeats."""

    channel = Channel.EMAIL

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings

    async def send(self, outgoing: Outgoing) -> None:
        s = self.settings
        mail = EmailMessage()
        mail["From"] = s.sender
        mail["To"] = outgoing.address
        mail["Subject"] = outgoing.message.subject
        # When it was handed to the server, in China Standard Time (RFC 5322 requires it;
        # mail clients sort and spam filters score by it).
        mail["Date"] = format_datetime(datetime.now(CHINA_STANDARD_TIME))
        mail["Message-ID"] = f"<{outgoing.key}@crosscheck.notify>"
        mail[IDEMPOTENCY_HEADER] = outgoing.key
        mail.set_content(outgoing.message.body)
        try:
            await aiosmtplib.send(
                mail,
                hostname=s.host,
                port=s.port,
                username=s.username,
                password=s.password,
                start_tls=s.start_tls,
                timeout=s.timeout_s,
            )
        except aiosmtplib.SMTPResponseException as exc:
            # 5xx: the server refuses this message for good; 4xx: try again later.
            reason = f"SMTP {exc.code}: {exc.message}"
            raise DeliveryFailed(reason, permanent=exc.code >= 500) from exc
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise DeliveryFailed(f"{type(exc).__name__}: {exc}") from exc


class SmsGateway(Protocol):
    async def send_sms(self, phone: str, text: str, key: str) -> None:
        """Hand one text to the operator's gateway, or raise DeliveryFailed."""
        ...


class WebhookSmsGateway:
    """An SMS gateway reached by a signed HTTP POST `{"to": ..., "text": ...}`."""

    def __init__(self, poster: SignedPoster, url: str) -> None:
        self.poster = poster
        self.url = url

    async def send_sms(self, phone: str, text: str, key: str) -> None:
        await self.poster.post(self.url, {"to": phone, "text": text}, key)


SMS_MAX_CHARS = 280
"""Longer texts are cut: an SMS notice points to the hazard, the ledger has the rest."""


class SmsSender:
    channel = Channel.SMS

    def __init__(self, gateway: SmsGateway) -> None:
        self.gateway = gateway

    async def send(self, outgoing: Outgoing) -> None:
        text = f"{outgoing.message.subject}\n{outgoing.message.body}"
        if len(text) > SMS_MAX_CHARS:
            text = text[: SMS_MAX_CHARS - 1] + "…"
        await self.gateway.send_sms(outgoing.address, text, outgoing.key)
