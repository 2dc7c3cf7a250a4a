"""Foundation benchmark: the plumbing beside raw baselines measured in the same run.

    uv run python bench/foundation.py [--commands 3000] [--events 50000] [--repeat 3] [--members 2]
                                      [--clients 8] [--appends-only]

Needs the local stack (`deploy/stack up`). Prints, for each figure, our rate, the
baseline's rate and the ratio:
  1. commands through the one unit of work (`crosscheck_platform.unit_of_work`: a new
     stream each, 2 events, outbox rows; concurrent commands share statements) vs a raw
     one-row-per-transaction asyncpg INSERT loop, from 1 and from `--clients` concurrent
     clients (goal: at least 0.5 of raw with 8), and vs the `eventsourcing` library's
     PostgreSQL recorder doing the same command workload;
  2. outbox relay to Kafka vs a raw aiokafka producer (same producer settings);
  3. idempotent consumer applies (the platform's ConsumerLoop, tracking in PostgreSQL)
     vs two raw aiokafka getmany loops over the same topic: one that decodes nothing, and
     one that also decodes and validates every record's envelope and payload with the
     contracts' models (`crosscheck_contracts.kafka.decode`, as every reader must; the
     collector paused over each batch's decoding, as the consumer does). With event-id
     tracking (any handler) and with partition positions (handlers idempotent per event,
     e.g. version-guarded upserts). Goal: at least 0.7 of the decoding read (0.5 of the
     plain read before). `--repeat` triples per mode, interleaved; the triple with the
     median ratio to the decoding read is printed, with every ratio.
  4. with `--members N`: the consumer as N processes in one group (Kafka's way to scale
     a consumer out), beside one raw getmany loop and beside N raw loops in one group.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import statistics
import sys
import time
import uuid
from contextlib import ExitStack
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlparse

import asyncpg
from aiokafka import AIOKafkaConsumer

from crosscheck_contracts import kafka as wire
from crosscheck_contracts.base import BoundedContext, Event
from crosscheck_contracts.catalogue import EventCatalogue
from crosscheck_contracts.envelope import Tenant
from crosscheck_contracts.topics import Topics
from crosscheck_platform import collector
from crosscheck_platform.consumer import Deduplication, IdempotentConsumer, ReceivedEvent
from crosscheck_platform.consumer.loop import ConsumerLoop
from crosscheck_platform.db import Connection, Database
from crosscheck_platform.eventstore import Aggregate, CommandContext
from crosscheck_platform.eventstore.postgres import PostgresEventStore, unpack_headers
from crosscheck_platform.kafka import (
    bootstrap_servers,
    delete_topics_under,
    ensure_topics,
    reliable_producer,
)
from crosscheck_platform.migrations import migrate
from crosscheck_platform.outbox import OutboxRelay
from crosscheck_platform.unit_of_work import UnitOfWork, execute
from crosscheck_testing.infra import locate


class SiteOpened(Event):
    event_type: ClassVar[str] = "crosscheck.bench.SiteOpened"
    context: ClassVar[BoundedContext] = BoundedContext.REGISTRY
    name: str


class SiteInspected(Event):
    event_type: ClassVar[str] = "crosscheck.bench.SiteInspected"
    context: ClassVar[BoundedContext] = BoundedContext.REGISTRY
    hazards: int


CATALOGUE = EventCatalogue([SiteOpened, SiteInspected])


class BenchSite(Aggregate):
    def apply(self, event: Event) -> None:
        pass

    def open(self, name: str) -> None:
        self._emit(SiteOpened(name=name))

    def inspect(self, hazards: int) -> None:
        self._emit(SiteInspected(hazards=hazards))


ROUNDS = 5
TENANT = Tenant(county="532327", township="532327101")


def line(label: str, ours: float, baseline: float, baseline_label: str) -> None:
    print(
        f"{label:<34} {ours:>10,.0f}/s   {baseline_label:<28} {baseline:>10,.0f}/s"
        f"   ratio {ours / baseline:5.2f}"
    )


async def in_clients(clients: int, total: int, work: Any) -> float:
    """Run `work(i)` for i in range(total) spread over `clients` concurrent callers;
    return operations per second."""
    counter = iter(range(total))

    async def client() -> None:
        for i in counter:
            await work(i)

    start = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    return total / (time.perf_counter() - start)


async def bench_appends(dsn: str, schema: str, commands: int, clients: int) -> tuple[float, float]:
    """Commands (a new stream, two events, one transaction each) vs single-row INSERT
    transactions, both from `clients` concurrent connections."""
    db = await Database.connect(dsn, schema, max_size=max(clients, 2))
    store = PostgresEventStore(db, CATALOGUE, Topics(schema))
    await migrate(dsn, schema, None)
    context = CommandContext(tenant=TENANT)
    tag = uuid.uuid4().hex[:6]

    streams = itertools.count()

    async def open_and_inspect(unit: UnitOfWork) -> None:
        i = next(streams)
        site = BenchSite(f"site-{tag}-{i}")
        site.open(f"场所{i}")
        site.inspect(2)
        unit.add(site)

    async def command(_: int) -> None:
        await execute(store, context, open_and_inspect)

    pool = await asyncpg.create_pool(dsn, min_size=clients, max_size=clients)
    await pool.execute(
        f"CREATE TABLE IF NOT EXISTS {schema}.raw "
        "(id bigserial PRIMARY KEY, stream text, data jsonb)"
    )

    async def insert(i: int) -> None:
        await pool.execute(
            f"INSERT INTO {schema}.raw (stream, data) VALUES ($1, $2)", f"site-{i}", '{"n": 1}'
        )

    # Disk flush latency drifts on shared machines: alternate short rounds of each and
    # compare medians, so both sides see the same conditions.
    ours_rounds, raw_rounds = [], []
    per_round = max(commands // ROUNDS, 1)
    for _ in range(ROUNDS):
        ours_rounds.append(await in_clients(clients, per_round, command))
        raw_rounds.append(await in_clients(clients, per_round, insert))
    ours, raw = statistics.median(ours_rounds), statistics.median(raw_rounds)
    await pool.execute(f"TRUNCATE {schema}.outbox")  # not part of the relay figure
    await pool.close()
    await db.close()
    return ours, raw


def bench_eventsourcing_peer(dsn: str, schema: str, commands: int) -> float:
    from eventsourcing.application import Application
    from eventsourcing.domain import Aggregate, event

    class Site(Aggregate):
        @event("Opened")
        def __init__(self, name: str) -> None:
            self.name = name
            self.hazards = 0

        @event("Inspected")
        def inspect(self, hazards: int) -> None:
            self.hazards = hazards

    url = urlparse(dsn)
    env = {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": url.path.lstrip("/"),
        "POSTGRES_HOST": url.hostname or "127.0.0.1",
        "POSTGRES_PORT": str(url.port or 5432),
        "POSTGRES_USER": url.username or "postgres",
        "POSTGRES_PASSWORD": url.password or "",
        "POSTGRES_SCHEMA": schema,
    }
    with asyncpg_schema(dsn, schema):
        app: Application[uuid.UUID] = Application(env=env)
        start = time.perf_counter()
        for i in range(commands):
            site = Site(name=f"场所{i}")
            site.inspect(hazards=2)
            app.save(site)
        rate = commands / (time.perf_counter() - start)
        app.close()
    return rate


class asyncpg_schema:  # noqa: N801 - used as a context manager name
    """Create (and afterwards drop) a schema from synchronous code."""

    def __init__(self, dsn: str, schema: str) -> None:
        self.dsn, self.schema = dsn, schema

    def _run(self, sql: str) -> None:
        async def go() -> None:
            conn = await asyncpg.connect(self.dsn)
            await conn.execute(sql)
            await conn.close()

        asyncio.run(go())

    def __enter__(self) -> None:
        self._run(f"CREATE SCHEMA IF NOT EXISTS {self.schema}")

    def __exit__(self, *exc: object) -> None:
        self._run(f"DROP SCHEMA IF EXISTS {self.schema} CASCADE")


async def bench_relay(
    dsn: str, bootstrap: str, schema: str, events: int
) -> tuple[float, float, str]:
    topics = Topics(schema)
    await ensure_topics(bootstrap, topics.all)
    db = await Database.connect(dsn, schema)
    store = PostgresEventStore(db, CATALOGUE, topics)
    await migrate(dsn, schema, None)
    context = CommandContext(tenant=TENANT)
    # Fill the outbox concurrently (not measured).
    sem = asyncio.Semaphore(16)

    async def one(i: int) -> None:
        async with sem:
            await store.append(
                f"r-{i}", 0, [SiteOpened(name=f"场所{i}"), SiteInspected(hazards=i % 5)], context
            )

    await asyncio.gather(*(one(i) for i in range(events // 2)))
    rows = await db.fetch("SELECT topic, key, headers, value FROM outbox ORDER BY id")

    producer = reliable_producer(bootstrap)
    await producer.start()
    relay = OutboxRelay(db, producer, batch_size=1000)
    start = time.perf_counter()
    published = await relay.publish_pending()
    ours = published / (time.perf_counter() - start)

    raw_topic = topics.of(BoundedContext.REGISTRY) + ".raw"
    await ensure_topics(bootstrap, [raw_topic], with_dead_letters=False)
    prepared = [(r["key"], unpack_headers(r["headers"]), r["value"]) for r in rows]
    start = time.perf_counter()
    futures = [await producer.send(raw_topic, value=v, key=k, headers=h) for k, h, v in prepared]
    await asyncio.gather(*futures)
    raw = len(prepared) / (time.perf_counter() - start)
    await producer.stop()
    await db.close()
    return ours, raw, topics.of(BoundedContext.REGISTRY)


def decode_batch(batch: dict[Any, list[Any]]) -> int:
    """Decode and validate every record of a getmany batch as a reader must: the
    envelope from the CloudEvents headers, the payload with its contract model. The
    collector waits while a batch is decoded, as in the consumer. Returns the records."""
    decode, catalogue, count = wire.decode, CATALOGUE, 0
    with collector.paused():
        for records in batch.values():
            for record in records:
                decode(catalogue, record.headers, record.value)
            count += len(records)
    return count


async def raw_read(
    bootstrap: str, group: str, topic: str, events: int, *, decode: bool = False
) -> float:
    """Records per second of a bare getmany loop; with `decode`, every record is also
    decoded and validated (the baseline a consumer that must read what it gets can
    reach at most)."""
    raw_consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap_servers(bootstrap),
        auto_offset_reset="earliest",
        group_id=group,
        enable_auto_commit=False,
    )
    await raw_consumer.start()
    seen, start = 0, time.perf_counter()
    while seen < events:
        batch = await raw_consumer.getmany(timeout_ms=500, max_records=500)
        seen += decode_batch(batch) if decode else sum(len(v) for v in batch.values())
    raw = seen / (time.perf_counter() - start)
    await raw_consumer.stop()
    return raw


async def bench_consumer(
    dsn: str,
    bootstrap: str,
    schema: str,
    topic: str,
    events: int,
    deduplication: Deduplication,
    attempt: int,
) -> tuple[float, float, float]:
    """Our consumer, then the raw read, then the decoding raw read (each with a group of
    its own), same topic."""
    db = await Database.connect(dsn, schema)

    async def count(conn: Connection, item: ReceivedEvent) -> None:
        return None  # the figure is the plumbing's cost: decode, track, commit

    # The runner's defaults, as services run it.
    loop = ConsumerLoop(bootstrap_servers(bootstrap), [topic])
    consumer = IdempotentConsumer(
        name=f"{schema}-bench-{deduplication}-{attempt}",
        db=db,
        catalogue=CATALOGUE,
        handler=count,
        dead_letters=loop.dead_letter,
        deduplication=deduplication,
    )
    await migrate(db.dsn, db.schema, None)
    await loop.start(consumer)
    # Both clocks start once the client is up: they include joining the group and the
    # first fetch.
    start = time.perf_counter()
    while consumer.applied < events:
        await asyncio.sleep(0.005)
    ours = consumer.applied / (time.perf_counter() - start)
    await loop.stop()
    await db.close()
    raw = await raw_read(bootstrap, f"{schema}-raw-{deduplication}-{attempt}", topic, events)
    decoded = await raw_read(
        bootstrap, f"{schema}-dec-{deduplication}-{attempt}", topic, events, decode=True
    )
    return ours, raw, decoded


def consumer_lines(label: str, runs: list[tuple[float, float, float]]) -> None:
    """The triple with the median ratio to the decoding read, and the spread of the
    ratios: on a shared machine the raw reads alone move a lot between runs minutes
    apart."""
    ranked = sorted(runs, key=lambda run: run[0] / run[2])
    ours, raw, decoded = ranked[len(ranked) // 2]
    line(label, ours, decoded, "getmany + decode + validate")
    line("", ours, raw, "raw aiokafka getmany")
    if len(ranked) > 1:
        to_decoded = ", ".join(f"{o / d:.2f}" for o, _, d in runs)
        to_raw = ", ".join(f"{o / r:.2f}" for o, r, _ in runs)
        print(
            f"{'':<34} median of {len(runs)} interleaved triples; ratios to the decoding "
            f"read {to_decoded}; to the plain read {to_raw}"
        )


# --- the consumer as a group of processes (--members) ---------------------------------
#
# Kafka's own way to apply faster is more members in one group, each with its partitions.
# Every member is a process of this script (`--member`): it starts, connects and then
# waits for a line on stdin, so the clock starts with interpreters loaded and includes
# joining the group (as the other consumer clocks do). Members report how many records
# they handled every 10 ms; the clock stops when the reports add up to the topic.

REPORT_SECONDS = 0.01
KINDS = ("positions", "event-ids", "raw")


async def _report(count: Any) -> None:
    last = -1
    while True:
        if (now := count()) != last:
            print(now, flush=True)
            last = now
        await asyncio.sleep(REPORT_SECONDS)


async def member(kind: str, dsn: str, bootstrap: str, schema: str, topic: str, group: str) -> None:
    go = asyncio.to_thread(sys.stdin.readline)
    if kind == "raw":
        raw = AIOKafkaConsumer(
            topic,
            bootstrap_servers=bootstrap_servers(bootstrap),
            auto_offset_reset="earliest",
            group_id=group,
            enable_auto_commit=False,
        )
        seen = 0
        print("ready", flush=True)
        await go
        await raw.start()
        reporter = asyncio.create_task(_report(lambda: seen))
        while True:
            batch = await raw.getmany(timeout_ms=500, max_records=500)
            seen += sum(len(v) for v in batch.values())
            if reporter.done():
                reporter.result()

    db = await Database.connect(dsn, schema)

    async def count(conn: Connection, item: ReceivedEvent) -> None:
        return None  # the figure is the plumbing's cost: decode, track, commit

    loop = ConsumerLoop(bootstrap_servers(bootstrap), [topic])
    consumer = IdempotentConsumer(
        name=group,
        db=db,
        catalogue=CATALOGUE,
        handler=count,
        dead_letters=loop.dead_letter,
        deduplication=Deduplication.POSITION if kind == "positions" else Deduplication.EVENT_ID,
    )
    print("ready", flush=True)
    await go
    await loop.start(consumer)
    await _report(lambda: consumer.applied)


async def run_group(
    kind: str, members: int, dsn: str, bootstrap: str, schema: str, topic: str, events: int
) -> float:
    """Records per second for `members` processes of `kind` in a new group."""
    group = f"{schema}-{kind}-{uuid.uuid4().hex[:6]}"
    if kind != "raw":
        # Once, before the members start: they would race creating the same tables.
        await migrate(dsn, schema, None)
    processes = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            __file__,
            "--member",
            kind,
            dsn,
            bootstrap,
            schema,
            topic,
            group,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        for _ in range(members)
    ]
    try:
        for process in processes:
            assert process.stdout is not None
            if (await process.stdout.readline()).strip() != b"ready":
                raise RuntimeError(f"a {kind} member did not start")
        counts = [0] * members
        done = asyncio.Event()

        async def follow(i: int, process: asyncio.subprocess.Process) -> None:
            assert process.stdout is not None
            while line := await process.stdout.readline():
                counts[i] = int(line)
                if sum(counts) >= events:
                    done.set()
            raise RuntimeError(f"a {kind} member ended early (exit {await process.wait()})")

        start = time.perf_counter()
        for process in processes:
            assert process.stdin is not None
            process.stdin.write(b"go\n")
            await process.stdin.drain()
        followers = [asyncio.create_task(follow(i, p)) for i, p in enumerate(processes)]
        finished = asyncio.create_task(done.wait())
        await asyncio.wait([finished, *followers], return_when=asyncio.FIRST_COMPLETED)
        elapsed = time.perf_counter() - start
        for task in (finished, *followers):
            if task.done() and task is not finished:
                task.result()  # a member that failed
            task.cancel()
        return sum(counts) / elapsed
    finally:
        for process in processes:
            if process.returncode is None:
                process.kill()
            await process.wait()


async def group_lines(
    dsn: str, bootstrap: str, schema: str, topic: str, args: argparse.Namespace
) -> None:
    """Our consumer as `--members` processes in one group, beside one raw loop and beside
    as many raw loops in one group; medians of `--repeat` interleaved runs."""
    rates: dict[tuple[str, int], list[float]] = {}
    for _ in range(args.repeat):
        for kind in KINDS:
            for members in (1, args.members) if kind == "raw" else (args.members,):
                rate = await run_group(kind, members, dsn, bootstrap, schema, topic, args.events)
                rates.setdefault((kind, members), []).append(rate)
    raw_one = statistics.median(rates[("raw", 1)])
    raw_group = statistics.median(rates[("raw", args.members)])
    for kind in ("positions", "event-ids"):
        ours = statistics.median(rates[(kind, args.members)])
        label = f"consumer, {kind}, {args.members} processes"
        line(label, ours, raw_one, "raw aiokafka getmany")
        line("", ours, raw_group, f"raw getmany, {args.members} procs")
    print(f"{'':<34} medians of {args.repeat} interleaved runs of each; all (records/s):")
    for (kind, members), values in rates.items():
        print(f"{'':<36}{kind} x{members}: " + ", ".join(f"{v:,.0f}" for v in values))


def append_lines(clients: int, one: float, raw_one: float, many: float, raw_many: float) -> None:
    line("event-store appends (commands)", one, raw_one, "raw INSERT loop")
    line(f"  same, {clients} concurrent clients", many, raw_many, f"raw INSERTs, {clients} clients")


async def _drop(dsn: str, schemas: list[str]) -> None:
    conn = await asyncpg.connect(dsn)
    for name in schemas:
        await conn.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")
    await conn.close()


async def main(args: argparse.Namespace) -> None:
    with ExitStack() as stack:
        infra = locate(stack)
        schema = "bench_" + uuid.uuid4().hex[:8]
        print(
            f"Crosscheck foundation benchmark ({infra.origin}); python {sys.version.split()[0]},"
            f" {os.cpu_count()} cores"
        )
        appends, raw_inserts = await bench_appends(infra.database_url, schema, args.commands, 1)
        appends8, raw_inserts8 = await bench_appends(
            infra.database_url, schema, args.commands, args.clients
        )
        if args.appends_only:
            append_lines(args.clients, appends, raw_inserts, appends8, raw_inserts8)
            await _drop(infra.database_url, [schema])
            return
        peer = await asyncio.to_thread(
            bench_eventsourcing_peer, infra.database_url, schema + "_peer", args.commands
        )
        relay, raw_produce, topic = await bench_relay(
            infra.database_url, infra.kafka_bootstrap, schema + "_r", args.events
        )
        consumed: dict[Deduplication, list[tuple[float, float, float]]] = {
            d: [] for d in Deduplication
        }
        for attempt in range(args.repeat):
            for deduplication in (Deduplication.EVENT_ID, Deduplication.POSITION):
                consumed[deduplication].append(
                    await bench_consumer(
                        infra.database_url,
                        infra.kafka_bootstrap,
                        schema + "_r",
                        topic,
                        args.events,
                        deduplication,
                        attempt,
                    )
                )
        print()
        append_lines(args.clients, appends, raw_inserts, appends8, raw_inserts8)
        line("event-store appends (commands)", appends, peer, "eventsourcing recorder")
        line("relay to Kafka (events)", relay, raw_produce, "raw aiokafka producer")
        consumer_lines("consumer applies, event ids", consumed[Deduplication.EVENT_ID])
        consumer_lines("consumer applies, positions", consumed[Deduplication.POSITION])
        if args.members > 1:
            await group_lines(infra.database_url, infra.kafka_bootstrap, schema + "_r", topic, args)
        await _drop(infra.database_url, [schema, schema + "_r"])
        await delete_topics_under(infra.kafka_bootstrap, [f"{schema}.", f"{schema}_r."])


if __name__ == "__main__":
    if sys.argv[1:2] == ["--member"]:
        asyncio.run(member(*sys.argv[2:8]))
        sys.exit(0)
    sys.path.insert(0, str(Path(__file__).parent))
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--commands", type=int, default=3000)
    parser.add_argument("--events", type=int, default=50000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument(
        "--appends-only", action="store_true", help="only the event-store appends (1 and N clients)"
    )
    parser.add_argument(
        "--repeat", type=int, default=3, help="consumer/raw reads triples per tracking mode"
    )
    parser.add_argument(
        "--members",
        type=int,
        default=0,
        help="also run the consumer as this many processes in one group (0: skip)",
    )
    asyncio.run(main(parser.parse_args()))
