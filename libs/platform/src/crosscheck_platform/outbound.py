"""Outbound HTTP/1.1 POSTs over pooled keep-alive connections (asyncio streams).

Webhooks are small POSTs to a few receivers, sent in bursts (10,000 deadlines falling
due in one minute). The maintained clients cost a notice several times the CPU of this
one (`bench/outbound.py` measures aiohttp and httpx beside it), which the firing-lag goal
cannot afford; this one builds the request as bytes and reads the answer by its framing
(Content-Length, chunked, or until close), nothing more.
No redirects, cookies or proxies: a webhook receiver answers the URL it was given.

A pooled connection that is closed without a byte of answer is taken for one the
server had already closed, and the request goes once more on a new connection. If the
server did read it, the receiver gets it twice: every POST here carries an idempotency
key for that reason (as with any client that retries).
"""

from __future__ import annotations

import asyncio
import ssl
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

MAX_HEAD_BYTES = 64 * 1024
MAX_BODY_BYTES = 1024 * 1024


class HttpError(OSError):
    """The request could not be completed: network, timeout or a malformed answer."""


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes


@dataclass(frozen=True)
class _Target:
    secure: bool
    host: str
    port: int
    path: bytes
    host_header: bytes


@lru_cache(maxsize=1024)
def _target(url: str) -> _Target:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise HttpError(f"not an http(s) URL: {url!r}")
    secure = parts.scheme == "https"
    port = parts.port or (443 if secure else 80)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    default = port == (443 if secure else 80)
    host = parts.hostname if default else f"{parts.hostname}:{port}"
    return _Target(secure, parts.hostname, port, path.encode(), host.encode("idna"))


@dataclass(frozen=True)
class Request:
    """A POST ready to go: where, and its bytes on the wire."""

    target: _Target
    data: bytes


class _Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.used = False

    def close(self) -> None:
        self.writer.close()


class OutboundHttp:
    """Connection pools per (scheme, host, port), at most `connections` each."""

    def __init__(
        self,
        *,
        connections: int = 64,
        timeout_s: float = 10.0,
        ssl_context: ssl.SSLContext | None = None,
        user_agent: str = "crosscheck",
    ) -> None:
        self.timeout_s = timeout_s
        self._ssl = ssl_context or ssl.create_default_context()
        self._limit = connections
        self._idle: dict[tuple[bool, str, int], list[_Connection]] = defaultdict(list)
        self._slots: dict[tuple[bool, str, int], asyncio.Semaphore] = {}
        self._agent = f"User-Agent: {user_agent}\r\n".encode()

    async def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> Response:
        """POST `body`; raise HttpError when no complete answer came within the timeout."""
        return await self.send(self.prepare(url, body, headers))

    def prepare(self, url: str, body: bytes, headers: Mapping[str, str]) -> Request:
        """The POST as bytes, built before it is due so sending it costs only the I/O."""
        target = _target(url)
        request = b"".join(
            [
                b"POST %s HTTP/1.1\r\nHost: %s\r\n" % (target.path, target.host_header),
                self._agent,
                *(f"{name}: {value}\r\n".encode() for name, value in headers.items()),
                b"Content-Length: %d\r\n\r\n" % len(body),
                body,
            ]
        )
        return Request(target, request)

    async def send(self, request: Request) -> Response:
        """Send a prepared request; raise HttpError as `post` does."""
        target = request.target
        key = (target.secure, target.host, target.port)
        slots = self._slots.get(key)
        if slots is None:
            slots = self._slots[key] = asyncio.Semaphore(self._limit)
        async with slots:
            try:
                async with asyncio.timeout(self.timeout_s):
                    return await self._exchange(key, target, request.data)
            except TimeoutError:
                raise HttpError(f"no answer from {target.host}:{target.port} in time") from None

    async def _exchange(
        self, key: tuple[bool, str, int], target: _Target, request: bytes
    ) -> Response:
        idle = self._idle[key]
        while idle:
            connection = idle.pop()
            try:
                return await self._send(key, connection, request)
            except _Stale:
                # The server closed a pooled connection (its keep-alive timeout) before
                # reading this request: nothing was received, so it goes again.
                connection.close()
        try:
            reader, writer = await asyncio.open_connection(
                target.host,
                target.port,
                ssl=self._ssl if target.secure else None,
                limit=MAX_HEAD_BYTES,
            )
        except OSError as exc:
            raise HttpError(f"cannot connect to {target.host}:{target.port}: {exc}") from exc
        try:
            return await self._send(key, _Connection(reader, writer), request)
        except _Stale as exc:
            raise HttpError(f"{target.host}:{target.port} closed the connection") from exc

    async def _send(
        self, key: tuple[bool, str, int], connection: _Connection, request: bytes
    ) -> Response:
        reused, connection.used = connection.used, True
        try:
            connection.writer.write(request)
            try:
                head = await connection.reader.readuntil(b"\r\n\r\n")
            except asyncio.IncompleteReadError as exc:
                if reused and not exc.partial:
                    raise _Stale from exc
                raise HttpError("connection closed before the answer") from exc
            except ConnectionError as exc:
                if reused:
                    raise _Stale from exc
                raise HttpError(f"connection failed: {exc}") from exc
            status, fields, keep = _parse_head(head)
            framed = b"content-length" in fields or b"transfer-encoding" in fields
            if not framed and status not in (204, 304):
                keep = False  # the body runs until the server closes
            body = await _read_body(connection.reader, fields, keep)
        except (HttpError, _Stale):
            connection.close()
            raise
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError) as exc:
            connection.close()
            raise HttpError(f"connection failed: {exc!r}") from exc
        except BaseException:
            connection.close()  # cancelled mid-answer: the connection is unusable
            raise
        if keep:
            self._idle[key].append(connection)
        else:
            connection.close()
        return Response(status, body)

    async def __aenter__(self) -> OutboundHttp:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.close()

    async def close(self) -> None:
        for idle in self._idle.values():
            for connection in idle:
                connection.close()
            idle.clear()


class _Stale(Exception):
    pass


def _parse_head(head: bytes) -> tuple[int, dict[bytes, bytes], bool]:
    lines = head.split(b"\r\n")
    version, _, rest = lines[0].partition(b" ")
    if not version.startswith(b"HTTP/1.") or len(rest) < 3 or not rest[:3].isdigit():
        raise HttpError(f"not an HTTP/1.x answer: {lines[0][:80]!r}")
    fields: dict[bytes, bytes] = {}
    for line in lines[1:]:
        if line:
            name, _, value = line.partition(b":")
            fields[name.strip().lower()] = value.strip()
    connection = fields.get(b"connection", b"").lower()
    keep = connection != b"close" if version == b"HTTP/1.1" else connection == b"keep-alive"
    return int(rest[:3]), fields, keep


async def _read_body(reader: asyncio.StreamReader, fields: dict[bytes, bytes], keep: bool) -> bytes:
    if fields.get(b"transfer-encoding", b"").lower().endswith(b"chunked"):
        parts: list[bytes] = []
        total = 0
        while True:
            size_line = await reader.readuntil(b"\r\n")
            size = int(size_line.split(b";", 1)[0].strip() or b"0", 16)
            total += size
            if total > MAX_BODY_BYTES:
                raise HttpError("answer body too large")
            if size == 0:
                while await reader.readuntil(b"\r\n") != b"\r\n":  # trailers
                    pass
                return b"".join(parts)
            parts.append(await reader.readexactly(size))
            await reader.readexactly(2)
    length = fields.get(b"content-length")
    if length is not None:
        if not length.isdigit() or int(length) > MAX_BODY_BYTES:
            raise HttpError(f"bad Content-Length: {length[:20]!r}")
        return await reader.readexactly(int(length))
    if keep:
        return b""  # 204 and 304 have no body
    return await reader.read(MAX_BODY_BYTES)
