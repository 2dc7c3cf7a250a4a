"""The outbound HTTP client against a real local server that answers as scripted."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import pytest

from crosscheck_platform.outbound import HttpError, OutboundHttp

Answer = Callable[[int, bytes], bytes | None]
"""(request number on this connection, request head) -> bytes to write, or None to
close the connection without answering."""


@asynccontextmanager
async def server(answer: Answer) -> AsyncIterator[tuple[str, list[bytes]]]:
    received: list[bytes] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        n = 0
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":")[1])
                body = await reader.readexactly(length)
                received.append(head + body)
                reply = answer(n, head)
                n += 1
                if reply is None:
                    break
                writer.write(reply)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        writer.close()

    srv = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = srv.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}/hook?x=1", received
    finally:
        srv.close()


def ok(body: bytes = b'{"ok":true}', extra: bytes = b"") -> bytes:
    return b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n%s\r\n%s" % (len(body), extra, body)


async def test_posts_the_body_and_headers_and_reuses_the_connection() -> None:
    async with server(lambda n, head: ok()) as (url, received), OutboundHttp() as http:
        first = await http.post(url, "维的乡".encode(), {"Idempotency-Key": "k-1"})
        second = await http.post(url, b"{}", {"Idempotency-Key": "k-2"})
    assert (first.status, first.body) == (200, b'{"ok":true}')
    assert second.status == 200
    assert received[0].startswith(b"POST /hook?x=1 HTTP/1.1\r\n")
    assert b"Idempotency-Key: k-1\r\n" in received[0]
    assert received[0].endswith("维的乡".encode())
    assert b"Content-Length: 9\r\n" in received[0]
    assert len(received) == 2


async def test_reads_chunked_answers() -> None:
    chunked = (
        b"HTTP/1.1 202 Accepted\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nX-Trailer: 1\r\n\r\n"
    )
    async with server(lambda n, head: chunked) as (url, _), OutboundHttp() as http:
        answers = [await http.post(url, b"{}", {}) for _ in range(2)]
    assert [(a.status, a.body) for a in answers] == [(202, b"hello world")] * 2


async def test_an_answer_that_runs_until_close() -> None:
    unframed = b"HTTP/1.1 500 Oops\r\nConnection: close\r\n\r\nbroken"
    async with server(lambda n, head: unframed) as (url, received), OutboundHttp() as http:
        answer = await http.post(url, b"{}", {})
        again = await http.post(url, b"{}", {})
    assert (answer.status, answer.body) == (500, b"broken")
    assert again.status == 500 and len(received) == 2


async def test_a_pooled_connection_the_server_closed_is_replaced_silently() -> None:
    # Each connection is answered once and then closed, as a server does when its
    # keep-alive timeout passes; the next request goes on a new connection.
    received: list[bytes] = []

    async def once(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        received.append(head + await reader.readexactly(1))
        writer.write(ok())
        await writer.drain()
        writer.close()

    srv = await asyncio.start_server(once, "127.0.0.1", 0)
    url = f"http://127.0.0.1:{srv.sockets[0].getsockname()[1]}/"
    try:
        async with OutboundHttp() as http:
            assert (await http.post(url, b"a", {})).status == 200
            await asyncio.sleep(0.05)
            assert (await http.post(url, b"b", {})).status == 200
    finally:
        srv.close()
    assert [r[-1:] for r in received] == [b"a", b"b"]


async def test_a_request_read_but_not_answered_is_retried_once_on_a_new_connection() -> None:
    # Indistinguishable from a stale connection for the client; the receiver sees the
    # request twice and drops the repeat by its idempotency key.
    def then_drop(n: int, head: bytes) -> bytes | None:
        return ok() if n == 0 else None

    async with server(then_drop) as (url, received), OutboundHttp() as http:
        assert (await http.post(url, b"a", {"Idempotency-Key": "k"})).status == 200
        assert (await http.post(url, b"b", {"Idempotency-Key": "k"})).status == 200
    assert [r[-1:] for r in received] == [b"a", b"b", b"b"]


async def test_no_answer_in_time_is_an_error() -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(5)
        writer.close()

    srv = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = srv.sockets[0].getsockname()[1]
    try:
        async with OutboundHttp(timeout_s=0.2) as http:
            with pytest.raises(HttpError, match="in time"):
                await http.post(f"http://127.0.0.1:{port}/", b"{}", {})
    finally:
        srv.close()


async def test_a_first_connection_closed_without_answer_is_an_error() -> None:
    async with server(lambda n, head: None) as (url, _), OutboundHttp() as http:
        with pytest.raises(HttpError, match="closed"):
            await http.post(url, b"{}", {})


async def test_refused_connections_and_bad_urls_are_errors() -> None:
    async with OutboundHttp() as http:
        with pytest.raises(HttpError, match="cannot connect"):
            await http.post("http://127.0.0.1:1/", b"{}", {})
        with pytest.raises(HttpError, match="not an http"):
            await http.post("ftp://example.org/", b"{}", {})


async def test_garbage_instead_of_http_is_an_error() -> None:
    async with server(lambda n, head: b"SMTP ready\r\n\r\n") as (url, _), OutboundHttp() as http:
        with pytest.raises(HttpError, match="not an HTTP"):
            await http.post(url, b"{}", {})
