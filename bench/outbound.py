"""Outbound HTTP clients compared: the platform's webhook client beside aiohttp and httpx.

    uv run python bench/outbound.py [--requests 5000] [--concurrency 16] [--repeat 3]

Why it exists: the notify service sends its webhooks through `crosscheck_platform.outbound`,
a small hand-made HTTP/1.1 client, where a maintained library would be the default choice.
This measures what each client costs a notice: the same signed-webhook-sized POST
(~600 bytes of JSON and its headers) to a local keep-alive receiver in another process,
`--concurrency` requests in flight, one client after the other in each round. Printed per
client: requests/s and the sender's CPU per request, and that CPU as a multiple of the
platform client's in the same round. No stack needed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable

import aiohttp
import httpx

from crosscheck_platform.outbound import OutboundHttp

BODY = json.dumps(
    {"notice_id": "0" * 36, "kind": "overdue", "text": "隐患已超过整改期限" * 20},
    ensure_ascii=False,
).encode()
HEADERS = {
    "Content-Type": "application/json",
    "Idempotency-Key": "0" * 36,
    "X-Crosscheck-Signature": "t=1700000000,v1=" + "0" * 64,
}
ANSWER = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"

Post = Callable[[str], Awaitable[None]]


class Receiver(asyncio.Protocol):
    """Keep-alive HTTP/1.1: reads each request by its Content-Length, answers 200."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport
        self.buffer = b""

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while (end := self.buffer.find(b"\r\n\r\n")) >= 0:
            length = 0
            for line in self.buffer[:end].split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            if len(self.buffer) < end + 4 + length:
                return
            self.buffer = self.buffer[end + 4 + length :]
            self.transport.write(ANSWER)  # type: ignore[attr-defined]


async def receive() -> None:
    server = await asyncio.get_running_loop().create_server(Receiver, "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    await asyncio.Event().wait()


async def timed(post: Post, url: str, requests: int, concurrency: int) -> tuple[float, float]:
    await post(url)  # the first connection is not timed
    left = iter(range(requests))

    async def sender() -> None:
        for _ in left:
            await post(url)

    wall, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(sender() for _ in range(concurrency)))
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return requests / wall, cpu / requests * 1e6


async def compare(url: str, args: argparse.Namespace) -> None:
    async with (
        OutboundHttp(connections=args.concurrency) as platform,
        aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=args.concurrency)) as aio,
        httpx.AsyncClient(limits=httpx.Limits(max_connections=args.concurrency)) as hx,
    ):

        async def with_platform(url: str) -> None:
            if (await platform.post(url, BODY, HEADERS)).status != 200:
                raise RuntimeError("the receiver refused a request")

        async def with_aiohttp(url: str) -> None:
            async with aio.post(url, data=BODY, headers=HEADERS) as answer:
                await answer.read()
                answer.raise_for_status()

        async def with_httpx(url: str) -> None:
            (await hx.post(url, content=BODY, headers=HEADERS)).raise_for_status()

        clients: list[tuple[str, Post]] = [
            ("platform", with_platform),
            ("aiohttp", with_aiohttp),
            ("httpx", with_httpx),
        ]
        cpu_of: dict[str, list[float]] = {name: [] for name, _ in clients}
        ratio_of: dict[str, list[float]] = {name: [] for name, _ in clients}
        print(f"{'round':>5} {'client':>9} {'req/s':>8} {'cpu us/req':>11} {'x platform':>11}")
        for n in range(1, args.repeat + 1):
            baseline = 0.0
            for name, post in clients:
                rate, cpu = await timed(post, url, args.requests, args.concurrency)
                baseline = baseline or cpu
                cpu_of[name].append(cpu)
                ratio_of[name].append(cpu / baseline)
                print(f"{n:>5} {name:>9} {rate:>8,.0f} {cpu:>11,.0f} {cpu / baseline:>11.1f}")
        for name, _ in clients:
            print(
                f"median {name}: {statistics.median(cpu_of[name]):,.0f} us/request, "
                f"{statistics.median(ratio_of[name]):.1f} x the platform client"
            )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--receiver", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.receiver:
        asyncio.run(receive())
        return 0
    receiver = subprocess.Popen(
        [sys.executable, __file__, "--receiver"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert receiver.stdout is not None
        port = int(receiver.stdout.readline())
        print(
            f"outbound: {args.requests:,} POSTs of {len(BODY)} bytes a client and round, "
            f"{args.concurrency} in flight, receiver in its own process"
        )
        asyncio.run(compare(f"http://127.0.0.1:{port}/hook", args))
    finally:
        receiver.kill()
        receiver.wait()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
