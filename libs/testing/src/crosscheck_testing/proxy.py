"""A round-robin HTTP proxy, as a load balancer in front of a service's replicas."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
from aiohttp import web

from crosscheck_testing.ports import free_port

HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "transfer-encoding",
    "content-length",
    "host",
    "upgrade",
}


@asynccontextmanager
async def round_robin(backends: list[str], hits: Counter[str] | None = None) -> AsyncIterator[str]:
    """An HTTP proxy sending each request to the next of `backends` (counted in `hits`);
    its base URL."""
    turn = itertools.cycle(backends)
    counted = hits if hits is not None else Counter()
    # A connection per request: a kept-alive one that the backend closed meanwhile (its
    # idle timeout) would fail the request it was reused for, as a 500 of the proxy's.
    connector = aiohttp.TCPConnector(force_close=True)
    async with aiohttp.ClientSession(auto_decompress=False, connector=connector) as session:

        async def forward(request: web.Request) -> web.Response:
            backend = next(turn)
            counted[backend] += 1
            headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP}
            async with session.request(
                request.method,
                backend + request.rel_url.path_qs,
                headers=headers,
                data=await request.read(),
                allow_redirects=False,
            ) as answer:
                body = await answer.read()
                kept = {k: v for k, v in answer.headers.items() if k.lower() not in HOP_BY_HOP}
                return web.Response(status=answer.status, body=body, headers=kept)

        app = web.Application(client_max_size=64 << 20)
        app.router.add_route("*", "/{tail:.*}", forward)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        port = free_port()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            await runner.cleanup()
