"""Two replicas of every service at once, behind a round-robin proxy per service (each
request to the next replica, as a load balancer would), all sharing one database schema
and one consumer group per consumer: the reference campaign's figures, every event once
on the topics (at least once on the wire, one id each), the overdue notice mailed once
to each recipient, however the work was shared out."""

from __future__ import annotations

import itertools
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from aiosmtpd.controller import Controller

from crosscheck_demo.driver import SERVICES, DemoSettings, Endpoints, run
from crosscheck_platform.db import Database
from crosscheck_testing.infra import Infra
from crosscheck_testing.issuer import IssuedTokens
from crosscheck_testing.ports import free_port
from crosscheck_testing.processes import service_env, service_process

from .test_reference_campaign import Mailbox, outside_subscriber

pytestmark = pytest.mark.infra

REPLICAS = 2
HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "transfer-encoding",
    "content-length",
    "host",
    "upgrade",
}


@asynccontextmanager
async def round_robin(backends: list[str], hits: Counter[str]) -> AsyncIterator[str]:
    """An HTTP proxy sending each request to the next of `backends`; its base URL."""
    turn = itertools.cycle(backends)
    async with aiohttp.ClientSession(auto_decompress=False) as session:

        async def forward(request: web.Request) -> web.Response:
            backend = next(turn)
            hits[backend] += 1
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


async def test_two_replicas_of_every_service_give_the_campaign_once(
    infra: Infra, unique_name: str, tmp_path: Path
) -> None:
    mailbox = Mailbox()
    smtp = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    hits: Counter[str] = Counter()
    try:
        async with AsyncExitStack() as stack:
            fronts: dict[str, str] = {}
            for name in SERVICES:
                backends = []
                for replica in range(REPLICAS):
                    port = free_port()
                    log = stack.enter_context((tmp_path / f"{name}-{replica}.log").open("wb"))
                    env = service_env(
                        infra,
                        schema=f"{unique_name}_{name}",
                        namespace=unique_name,
                        port=port,
                        CROSSCHECK_NOTIFY_SMTP_HOST="127.0.0.1",
                        CROSSCHECK_NOTIFY_SMTP_PORT=str(smtp.port),
                        CROSSCHECK_NOTIFY_POLL_INTERVAL_S="0.2",
                        CROSSCHECK_LOG_LEVEL="WARNING",
                    )
                    base, _ = await stack.enter_async_context(
                        service_process(
                            f"crosscheck_{name}.main", env, port, stdout=log, stderr=log
                        )
                    )
                    backends.append(base)
                fronts[name] = await stack.enter_async_context(round_robin(backends, hits))
            started = time.monotonic()
            outcome = await run(
                DemoSettings(
                    tokens=IssuedTokens(infra.issuer),
                    endpoints=Endpoints(**fronts),
                    state_dir=tmp_path / "demo",
                    timeout_s=120,
                    progress=lambda line: print(f"{time.monotonic() - started:6.1f} s  {line}"),
                )
            )
            f = outcome.figures
            assert (f["places_inspected"], f["hazards"], f["verified"], f["open"]) == (
                68,
                164,
                159,
                5,
            )
            assert f["rectification_percent"] == 97
            assert f["overdue"] == 1
            # Each replica served requests: the work really was shared.
            assert len(hits) == REPLICAS * len(SERVICES), hits
            assert min(hits.values()) > 0, hits

            expected = Counter(
                {
                    "InspectionCompleted": f["inspections"],
                    "HazardFound": 164,
                    "RectificationVerified": 159,
                    "RectificationOverdue": 1,
                }
            )
            assert await outside_subscriber(infra, unique_name, expected) == expected
            late = f"编号 {outcome.overdue_hazard_id}"
            mailed = [
                to[0]
                for to, subject, body in mailbox.messages
                if "逾期" in subject and late in body
            ]
            assert sorted(mailed) == sorted(set(mailed)) and len(mailed) == 2, mailbox.messages
    finally:
        smtp.stop()
        cleanup = await Database.connect(infra.database_url, "public", min_size=1, max_size=1)
        for name in SERVICES:
            await cleanup.execute(f"DROP SCHEMA IF EXISTS {unique_name}_{name} CASCADE")
        await cleanup.close()
