"""Hazards benchmark: sustained HazardFound-producing commands over HTTP.

    uv run python bench/hazards.py [--seconds 15] [--rate 300] [--clients 32] [--replicas 1]
                                   [--repeat 1]

Needs the local stack (`deploy/stack up`). Starts the hazards service as its own process
(uvicorn, a free port, a fresh schema and topic namespace; `--replicas` processes on
their own ports, the callers spread over them as a load balancer would), feeds it places and round
plans through Kafka as the registry and rotation would, then records inspections — each
with one failed checklist item, so each command appends an InspectionCompleted and a
HazardFound (and their outbox rows) in one transaction:

  1. throughput: `--clients` concurrent callers, closed loop, for `--seconds`;
  2. latency at a fixed offered rate (`--rate` per second, open loop) for `--seconds`:
     each request is timed from the moment it was due, so a stalled server cannot hide
     its queueing delay (no coordinated omission).

`--repeat N` runs both N times, one after another on the same service, and prints the
medians beside every run's figures: on a shared machine one run says little.

The callers use the platform's lean keep-alive HTTP client (outbound; aiohttp and httpx
cost several times its client CPU per request, taken from the service's cores); the
client's own CPU per command is printed beside the service's.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import itertools
import json
import os
import statistics
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack, ExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta

import asyncpg

from crosscheck_contracts import kafka as wire
from crosscheck_contracts.base import Event
from crosscheck_contracts.envelope import Envelope, Tenant
from crosscheck_contracts.topics import Topics
from crosscheck_platform.auth import Principal, Role
from crosscheck_platform.db import Database
from crosscheck_platform.kafka import delete_topics_under, ensure_topics, reliable_producer
from crosscheck_platform.outbound import HttpError, OutboundHttp
from crosscheck_scenarios.hazards import LEADER_ID, FlatCampaign
from crosscheck_testing.host import writeback
from crosscheck_testing.infra import Infra, locate
from crosscheck_testing.ports import free_port
from crosscheck_testing.processes import service_env, service_process

TENANT = Tenant(county="532327", township="532327101")
CAMPAIGN = "c-bench"
SETTLE_SECONDS = 3.0
MAX_ROUNDS = 366  # round numbers the contracts accept


async def publish(infra: Infra, topics: Topics, events: list[Event]) -> None:
    producer = reliable_producer(infra.kafka_bootstrap)
    await producer.start()
    try:
        for event in events:
            envelope = Envelope.for_event(
                event, tenant=TENANT, aggregate_id=event.aggregate_id(), aggregate_version=1
            )
            key, headers, value = wire.encode(envelope, event)
            await producer.send(topics.of(event.context), value=value, key=key, headers=headers)
        await producer.flush()
    finally:
        await producer.stop()


@asynccontextmanager
async def hazards_service(
    infra: Infra, namespace: str, port: int
) -> AsyncIterator[tuple[str, int]]:
    env = service_env(
        infra,
        schema=namespace,
        namespace=namespace,
        port=port,
        CROSSCHECK_LOG_LEVEL="WARNING",
    )
    async with service_process("crosscheck_hazards.main", env, port) as (base, process):
        yield base, process.pid


def cpu_seconds(pids: list[int]) -> float:
    """User and system CPU time used so far by the processes (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def bodies(campaign: FlatCampaign) -> Iterator[bytes]:
    """Every (round, place) once: one inspection each, with one failed item."""
    items = campaign.items
    for round_no, site in itertools.product(
        range(1, campaign.rounds + 1), range(campaign.site_count)
    ):
        failed = items[(round_no + site) % len(items)]
        yield json.dumps(campaign.inspection(round_no, site, failed)).encode()


class Callers:
    """Each call goes to the next replica in turn, as a round-robin balancer would."""

    def __init__(self, http: OutboundHttp, bases: list[str], token: str) -> None:
        self.http = http
        self._next = itertools.cycle([f"{base}/v1/inspections" for base in bases])
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    async def record(self, body: bytes) -> int:
        return (await self.http.post(next(self._next), body, self.headers)).status


async def throughput(
    callers: Callers, work: Iterator[bytes], clients: int, seconds: float
) -> tuple[int, int, float]:
    ok = failed = 0
    deadline = time.perf_counter() + seconds

    async def caller() -> None:
        nonlocal ok, failed
        while time.perf_counter() < deadline:
            if await callers.record(next(work)) == 201:
                ok += 1
            else:
                failed += 1

    started = time.perf_counter()
    await asyncio.gather(*(caller() for _ in range(clients)))
    return ok, failed, time.perf_counter() - started


async def at_fixed_rate(
    callers: Callers, work: Iterator[bytes], rate: float, seconds: float
) -> tuple[list[float], int, float]:
    latencies: list[float] = []
    failed = 0
    total = int(rate * seconds)
    start = time.perf_counter() + 0.1

    async def one(due: float, body: bytes) -> None:
        nonlocal failed
        try:
            status = await callers.record(body)
        except HttpError:
            failed += 1
            return
        if status == 201:
            latencies.append(time.perf_counter() - due)
        else:
            failed += 1

    tasks = []
    for n in range(total):
        due = start + n / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(due, next(work))))
    await asyncio.gather(*tasks)
    return latencies, failed, time.perf_counter() - start


class CommitProbe:
    """Single-row commits on their own connection, one every 10 ms, while the service is
    measured: the database's own commit latency in the same seconds. A service request
    cannot answer sooner than its commit; when these stall (the disk flushing other
    writes), the service's tail shows the same stall."""

    def __init__(self, dsn: str, schema: str) -> None:
        self.dsn, self.schema = dsn, schema
        self.latencies: list[float] = []
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> CommitProbe:
        self._conn = await asyncpg.connect(self.dsn)
        await self._conn.execute(
            f"CREATE TABLE IF NOT EXISTS {self.schema}.commit_probe"
            " (id bigserial PRIMARY KEY, at float8)"
        )
        self._task = asyncio.create_task(self._run())
        return self

    async def _run(self) -> None:
        sql = f"INSERT INTO {self.schema}.commit_probe (at) VALUES ($1)"
        while True:
            started = time.perf_counter()
            await self._conn.execute(sql, started)
            self.latencies.append(time.perf_counter() - started)
            await asyncio.sleep(0.01)

    async def __aexit__(self, *exc: object) -> None:
        assert self._task is not None
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        await self._conn.close()


def percentile(values: list[float], q: float) -> float:
    if len(values) < 2:
        return float("nan")
    return statistics.quantiles(values, n=1000, method="inclusive")[int(q * 10) - 1]


@dataclass(frozen=True)
class Run:
    throughput: float
    p99: float


async def measure(
    callers: Callers,
    work: Iterator[bytes],
    pids: list[int],
    dsn: str,
    namespace: str,
    args: argparse.Namespace,
) -> Run:
    """One throughput run, then one run at the fixed rate; both printed."""
    cpu, own = cpu_seconds(pids), time.process_time()
    ok, failed, took = await throughput(callers, work, args.clients, args.seconds)
    cpu, own = cpu_seconds(pids) - cpu, time.process_time() - own
    print(
        f"throughput  {args.clients} clients, {args.replicas} replica(s), "
        f"{took:5.1f} s: {ok / took:8,.0f} commands/s  ({ok} ok, {failed} failed)  "
        f"service CPU {cpu / max(ok, 1) * 1000:5.2f} ms/command, "
        f"client {own / max(ok, 1) * 1000:4.2f}"
    )
    # Latency is measured at a steady offered rate: first let the service finish what
    # the throughput run left (outbox relay, autovacuum).
    await asyncio.sleep(SETTLE_SECONDS)
    async with CommitProbe(dsn, namespace) as probe:
        latencies, failed, took_fixed = await at_fixed_rate(callers, work, args.rate, args.seconds)
    p99 = percentile(latencies, 99)
    print(
        f"fixed rate  {args.rate:.0f}/s offered, {took_fixed:5.1f} s: "
        f"{len(latencies) / took_fixed:8,.0f} commands/s  "
        f"p50 {percentile(latencies, 50) * 1000:6.1f} ms  "
        f"p99 {p99 * 1000:6.1f} ms  "
        f"max {max(latencies, default=0) * 1000:6.1f} ms  ({failed} failed)"
    )
    commits = probe.latencies
    print(
        f"  PostgreSQL single-row commit, same seconds: "
        f"p50 {percentile(commits, 50) * 1000:6.1f} ms  "
        f"p99 {percentile(commits, 99) * 1000:6.1f} ms  "
        f"max {max(commits, default=0) * 1000:6.1f} ms  ({len(commits)} commits)"
    )
    return Run(ok / took, p99)


async def main(args: argparse.Namespace) -> None:
    with ExitStack() as stack:
        infra = locate(stack)
        namespace = "bench" + uuid.uuid4().hex[:8]
        topics = Topics(namespace)
        await ensure_topics(infra.kafka_bootstrap, topics.all)
        needed = int(args.repeat * args.seconds * (args.rate + 3000) * 1.2) + 2000
        sites = max(100, -(-needed // MAX_ROUNDS))
        rounds = min(MAX_ROUNDS, -(-needed // sites))
        campaign = FlatCampaign(CAMPAIGN, rounds, sites)
        principal = Principal(
            subject="bench",
            name="bench",
            role=Role.GROUP_LEADER,
            county=TENANT.county,
            township=TENANT.township,
            staff_id=LEADER_ID,
        )
        token = infra.issuer.token(principal, timedelta(hours=2))
        try:
            async with AsyncExitStack() as services:
                replicas = [
                    await services.enter_async_context(
                        hazards_service(infra, namespace, free_port())
                    )
                    for _ in range(args.replicas)
                ]
                pids = [pid for _, pid in replicas]
                await publish(infra, topics, campaign.events())
                db = await Database.connect(infra.database_url, namespace, min_size=1, max_size=2)
                try:
                    async with asyncio.timeout(120):
                        while (
                            await db.fetchval("SELECT count(*) FROM round_sites") != rounds * sites
                        ):
                            await asyncio.sleep(0.2)
                finally:
                    await db.close()
                work = bodies(campaign)
                http = await services.enter_async_context(
                    OutboundHttp(connections=256, timeout_s=30)
                )
                callers = Callers(http, [base for base, _ in replicas], token)
                # Other work on the machine shares the cores: the figures mean little without.
                print("load average before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
                print(writeback())
                await throughput(callers, work, 8, 2.0)  # warm-up
                # The client's own full collections would show as the service's latency.
                gc.collect()
                gc.freeze()
                runs = [
                    await measure(callers, work, pids, infra.database_url, namespace, args)
                    for _ in range(args.repeat)
                ]
                if args.repeat > 1:
                    print(
                        f"median of {args.repeat} runs: "
                        f"{statistics.median(r.throughput for r in runs):,.0f} commands/s, "
                        f"p99 at {args.rate:.0f}/s "
                        f"{statistics.median(r.p99 for r in runs) * 1000:.1f} ms "
                        f"(all: {', '.join(f'{r.p99 * 1000:.0f}' for r in runs)} ms)"
                    )
        finally:
            cleanup = await Database.connect(infra.database_url, namespace, min_size=1, max_size=1)
            await cleanup.execute(f"DROP SCHEMA IF EXISTS {namespace} CASCADE")
            await cleanup.close()
            await delete_topics_under(infra.kafka_bootstrap, [f"{namespace}."])


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rate", type=float, default=300.0)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--replicas", type=int, default=1)
    parser.add_argument(
        "--repeat", type=int, default=1, help="throughput and fixed-rate runs, one after another"
    )
    return parser.parse_args()


if __name__ == "__main__":
    asyncio.run(main(parse()))
