"""A load generator for benchmarks: keep-alive HTTP/1.1 over asyncio streams.

It shares the two cores with the service under test, PostgreSQL and Kafka, so it must
cost little: aiohttp's client took ~0.5 ms of CPU per request here and httpx ~3 ms —
CPU the service then lacks. Requests are built as bytes; responses are read by their
Content-Length, which is how the services answer commands.
"""

from __future__ import annotations

import asyncio


class _Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    async def exchange(self, request: bytes) -> tuple[int, bytes]:
        self.writer.write(request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        return status, await self.reader.readexactly(length)


class KeepAliveClient:
    """Pooled connections to one server; as many as there are requests in flight."""

    def __init__(self, host: str, port: int, token: str, *, timeout: float = 30) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self.headers = (
            f"Host: {host}:{port}\r\nAuthorization: Bearer {token}\r\n"
            "Content-Type: application/json\r\n"
        ).encode()
        self.idle: list[_Connection] = []

    async def post(self, path: str, body: bytes) -> tuple[int, bytes]:
        request = (
            b"POST %s HTTP/1.1\r\n" % path.encode()
            + self.headers
            + b"Content-Length: %d\r\n\r\n" % len(body)
            + body
        )
        if self.idle:
            connection = self.idle.pop()
            try:
                answer = await asyncio.wait_for(connection.exchange(request), self.timeout)
            except (ConnectionError, asyncio.IncompleteReadError):
                # The server closes connections idle past its keep-alive timeout; it
                # has not read this request, so it goes again on a new connection.
                connection.writer.close()
            else:
                self.idle.append(connection)
                return answer
        connection = _Connection(*await asyncio.open_connection(self.host, self.port))
        answer = await asyncio.wait_for(connection.exchange(request), self.timeout)
        self.idle.append(connection)
        return answer

    def close(self) -> None:
        for connection in self.idle:
            connection.writer.close()
        self.idle.clear()
