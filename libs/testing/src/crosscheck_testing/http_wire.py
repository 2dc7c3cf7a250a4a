"""An app served by uvicorn on a real socket, and a client that streams a request body
while it watches for the answer: for tests of what a server does with a body it
refuses part-way (a stock client sends the whole body before it reads any answer)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterable, Mapping
from dataclasses import dataclass

import uvicorn
from fastapi import FastAPI


@contextlib.asynccontextmanager
async def served(app: FastAPI) -> AsyncIterator[tuple[str, int]]:
    """(host, port) of `app` served by uvicorn in this event loop; the caller runs the
    app's lifespan (so one started app can be reached in-process and over the wire)."""
    config = uvicorn.Config(
        app, host="127.0.0.1", port=0, lifespan="off", log_config=None, access_log=False
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        async with asyncio.timeout(30):
            while not server.started:
                if task.done():
                    task.result()  # raises why it did not start
                await asyncio.sleep(0.01)
        host, port = server.servers[0].sockets[0].getsockname()[:2]
        yield str(host), int(port)
    finally:
        server.should_exit = True
        await task


@dataclass(frozen=True)
class WireAnswer:
    status: int
    headers: dict[str, str]  # names in lower case
    body: bytes
    body_bytes_sent: int  # of the request, when the answer had arrived
    body_exhausted: bool  # whether every chunk was sent before the answer arrived


async def _read_answer(reader: asyncio.StreamReader) -> tuple[int, dict[str, str], bytes]:
    head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
    status_line, *lines = head.strip().split("\r\n")
    headers = {}
    for line in lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    body = await reader.readexactly(int(headers.get("content-length", "0")))
    return int(status_line.split()[1]), headers, body


async def stream_request(
    host: str,
    port: int,
    path: str,
    headers: Mapping[str, str],
    chunks: Iterable[bytes],
    *,
    chunked: bool,
    method: str = "POST",
) -> WireAnswer:
    """Send the head, then the chunks one by one (with chunked transfer coding, or raw
    after whatever Content-Length `headers` declare), stopping as soon as an answer
    arrives; the answer and how much of the body had gone out by then."""
    reader, writer = await asyncio.open_connection(host, port)
    head = [f"{method} {path} HTTP/1.1", f"Host: {host}:{port}"]
    head += [f"{name}: {value}" for name, value in headers.items()]
    if chunked:
        head.append("Transfer-Encoding: chunked")
    writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1"))
    answer = asyncio.create_task(_read_answer(reader))
    sent, exhausted = 0, True
    try:
        for chunk in chunks:
            await asyncio.sleep(0)  # lets an answer that is already in be read first
            if answer.done():
                exhausted = False
                break
            writer.write(b"%x\r\n%s\r\n" % (len(chunk), chunk) if chunked else chunk)
            try:
                await writer.drain()
            except ConnectionError:
                exhausted = False
                break  # the server closed the connection: its answer may be in
            sent += len(chunk)
        else:
            if chunked:
                writer.write(b"0\r\n\r\n")
        async with asyncio.timeout(30):
            status, answer_headers, body = await answer
    finally:
        answer.cancel()
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()
    return WireAnswer(status, answer_headers, body, sent, exhausted)
