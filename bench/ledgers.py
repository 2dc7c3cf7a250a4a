"""Ledgers benchmark: rebuild speed and command-to-ledger freshness.

    uv run python bench/ledgers.py [--events 1000000] [--processes 0] [--repeat 3]
                                   [--seconds 20] [--rate 200]
    uv run python bench/ledgers.py --county-year [--townships 20] [--processes 0]

Needs the local stack (`deploy/stack up`). Fresh topic namespaces and schemas; dropped
afterwards.

  1. rebuild: `--events` events of seeded reference-shaped campaigns (one township
     generated, then cloned under other township codes with fresh event ids) are put on
     the four context topics. A raw aiokafka `getmany` read of every partition from the
     start (no decoding), in a process of its own as the rebuild's shares read, is timed
     beside the ledgers' rebuild of the same topics (decode + validate + project +
     merge, COPY into new tables swapped in), in the same run; `--repeat` such pairs,
     one after the other: the first rebuild fills empty ledgers, the later ones replace
     the rows the one before built, as a rebuild of a running system does. The rebuild
     shares the partitions between `--processes` processes (0: one per core, the
     rebuild's default; 1: this process alone). Each pair has a second raw read with
     Python's cyclic garbage collector paused, as the rebuild's shares read, and a third
     that also decodes and validates every record's envelope and payload with the
     contracts' models (`crosscheck_contracts.kafka.decode`, as every reader must; the
     collector paused too), and the rebuild's ratio to each (goal: 0.7 of the decoding
     read). The raw reads are one process each; the rebuild's processes are printed.
     Each side's CPU time is printed too (the raw read's process; the rebuild's: this
     process and its share processes), and what it implies:
     with every core busy, a rebuild that costs N times the raw read's CPU per record
     reaches at most cores / N of a CPU-bound raw read. Before each pair, and before the
     freshness run, the host's dirty pages are written out (`sync`, printed, not timed):
     otherwise the kernel writes the records just produced, or the tables the rebuild
     before wrote, back during the next measurement.
  2. freshness: the hazards and ledgers services run as their own processes; inspection
     commands, each finding one hazard, are sent to the hazards service at `--rate` per
     second (open loop), the first second of them a warm-up that is not measured (the
     services' pools open their connections). For each command the clock starts when
     it was due and stops when its hazard appears in the ledgers' hazard list (read
     model polled every 10 ms, the same condition the hazard list uses). Each latency
     is also split into three parts: until the command was answered; answered -> on
     Kafka (the record's timestamp, set by the hazards service's outbox relay); on
     Kafka -> in the list (the ledgers' consumer, its transaction, the 10 ms poll).
  3. `--county-year` (instead of 1 and 2): a county's year, `--townships` townships
     (20: about 5,000,000 events) of 249,197 events each: 2,000 places inspected in twelve
     monthly rounds, 41,700 hazards through their loops. One township's year is generated
     and encoded once, then cloned under each township's code with fresh event ids and
     produced in batches, one township at a time (the records are never all in memory);
     then the ledgers are rebuilt from all of it, once, timed: events/s and minutes.
     With fewer than 20 townships the figure for 5,000,000 events is extrapolated at the rate
     measured, and printed as such.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import os
import resource
import statistics
import sys
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import ExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.partitioner import DefaultPartitioner

from crosscheck_contracts import CATALOGUE
from crosscheck_contracts import kafka as wire
from crosscheck_contracts.base import BoundedContext, Event
from crosscheck_contracts.envelope import Envelope, Tenant
from crosscheck_contracts.topics import Topics
from crosscheck_ledgers.app.rebuild import partitions_of, rebuild
from crosscheck_platform import collector
from crosscheck_platform.auth import Principal, Role
from crosscheck_platform.db import Connection, Database
from crosscheck_platform.kafka import bootstrap_servers, delete_topics_under, ensure_topics
from crosscheck_platform.migrations import migrate
from crosscheck_platform.outbound import HttpError, OutboundHttp
from crosscheck_scenarios.hazards import LEADER_ID, FlatCampaign
from crosscheck_scenarios.ledgers import generate
from crosscheck_testing.host import settle, writeback
from crosscheck_testing.infra import Infra, locate
from crosscheck_testing.ports import free_port
from crosscheck_testing.processes import service_env, service_process

TEMPLATE_TOWNSHIP = b"532327103"
Record = tuple[str, bytes, list[tuple[str, bytes]], bytes]


@dataclass(frozen=True)
class Shape:
    """A township's campaign for the generator."""

    sites: int
    staff: int
    groups: int
    rounds: int
    hazards: int


TOWNSHIP_CAMPAIGN = Shape(sites=2000, staff=120, groups=8, rounds=4, hazards=17_000)
"""One township's campaign: about 100,000 events."""
YEAR = Shape(sites=2000, staff=120, groups=8, rounds=12, hazards=41_700)
"""One township's year of monthly rounds: about 250,000 events."""
COUNTY_YEAR_EVENTS = 5_000_000
COUNTY_TOWNSHIPS = 20


def scaled(shape: Shape, factor: float) -> Shape:
    """`shape` with its places and hazards times `factor` (toy runs in the tests)."""
    if factor == 1:
        return shape
    return Shape(
        sites=max(20, round(shape.sites * factor)),
        staff=max(16, round(shape.staff * factor)),
        groups=shape.groups,
        rounds=shape.rounds,
        hazards=max(10, round(shape.hazards * factor)),
    )


def template(namespace: str, shape: Shape = TOWNSHIP_CAMPAIGN) -> list[Record]:
    """One township's campaign of `shape` as encoded records."""
    scenario = generate(
        1,
        sites=shape.sites,
        staff=shape.staff,
        groups=shape.groups,
        rounds=shape.rounds,
        hazards=shape.hazards,
    )
    topics = Topics(namespace)
    out = []
    for p in scenario.events:
        key, headers, value = wire.encode(p.envelope, p.event)
        out.append((topics.of(p.context), key, headers, value))
    return out


def clone(records: Sequence[Record], township: int) -> list[Record]:
    """The same campaign under another township code, with fresh event ids."""
    code = str(township).encode()
    out = []
    for topic, key, headers, value in records:
        new_headers = [
            (
                name,
                uuid.uuid4().bytes.hex().encode()
                if name == "ce_id"
                else raw.replace(TEMPLATE_TOWNSHIP, code),
            )
            for name, raw in headers
        ]
        out.append(
            (
                topic,
                key.replace(TEMPLATE_TOWNSHIP, code),
                new_headers,
                value.replace(TEMPLATE_TOWNSHIP, code),
            )
        )
    return out


async def put(bootstrap: str, records: Sequence[Record]) -> None:
    """Produce in whole batches per partition (keyed like the relay: default partitioner)."""
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap_servers(bootstrap), acks="all", linger_ms=20
    )
    await producer.start()
    partitioner = DefaultPartitioner()
    try:
        counts: dict[str, list[int]] = {}
        batches: dict[tuple[str, int], Any] = {}
        sends = []
        for topic, key, headers, value in records:
            if topic not in counts:
                counts[topic] = sorted(await producer.partitions_for(topic))
            partition = partitioner(key, counts[topic], counts[topic])
            batch = batches.get((topic, partition))
            if batch is None:
                batch = batches[(topic, partition)] = producer.create_batch()
            if batch.append(key=key, value=value, timestamp=None, headers=headers) is None:
                sends.append(await producer.send_batch(batch, topic, partition=partition))
                batch = batches[(topic, partition)] = producer.create_batch()
                batch.append(key=key, value=value, timestamp=None, headers=headers)
        for (topic, partition), batch in batches.items():
            sends.append(await producer.send_batch(batch, topic, partition=partition))
        await asyncio.gather(*sends)
    finally:
        await producer.stop()


async def raw_read(
    bootstrap: str, topics: Sequence[str], *, decode: bool = False
) -> tuple[int, float]:
    """Every record of `topics` read from the start; with `decode`, each also decoded
    and validated with the contracts' models (and dropped: nothing is projected)."""
    started = time.perf_counter()
    partitions = await partitions_of(bootstrap, topics)
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap_servers(bootstrap),
        group_id=None,
        enable_auto_commit=False,
        max_partition_fetch_bytes=8 << 20,
        fetch_max_bytes=64 << 20,
    )
    await consumer.start()
    count = 0
    try:
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        end = await consumer.end_offsets(partitions)
        remaining = {tp for tp in partitions if end[tp] > 0}
        while remaining:
            batch = await consumer.getmany(*remaining, timeout_ms=500, max_records=10_000)
            if decode:
                read, catalogue = wire.decode, CATALOGUE
                for records in batch.values():
                    for record in records:
                        read(catalogue, record.headers, record.value)
            count += sum(len(records) for records in batch.values())
            for tp in list(remaining):
                if await consumer.position(tp) >= end[tp]:
                    remaining.discard(tp)
    finally:
        await consumer.stop()
    return count, time.perf_counter() - started


def cpu_seconds() -> float:
    """CPU time of this process and of its children that have ended (the rebuild's share
    processes, once waited for)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


@dataclass(frozen=True)
class RawRead:
    records: int
    seconds: float
    cpu: float
    """CPU seconds a record."""

    @property
    def rate(self) -> float:
        return self.records / self.seconds

    def line(self, label: str) -> str:
        busy = self.cpu * self.records / self.seconds
        return (
            f"{label:<21} {self.records:>9,} records {self.seconds:6.1f} s {self.rate:10,.0f} /s"
            f"  (CPU {self.cpu * 1e6:4.1f} us a record, {busy:.0%} of its time)"
        )


# The raw reads run in a process of their own each, as the rebuild's shares do. Read in
# this process, the first pair's plain read was clearly faster than the same read in a
# fresh process (the later pairs agreed): it came just after this process had generated
# and let go of the million records it produced, and the gain was the collector's (the
# collector-off read showed none).
RAW_READ_CHILD = "--raw-read-child"


RAW_READ_MODES = ("plain", "paused", "decoded")
"""plain: getmany alone; paused: the collector off; decoded: the collector off, and every
record decoded and validated."""


async def timed_raw_read(bootstrap: str, topics: Sequence[str], *, mode: str) -> RawRead:
    """One raw read of `topics` in a new process; its own time and CPU, start-up not
    counted."""
    if mode not in RAW_READ_MODES:
        raise ValueError(mode)
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        __file__,
        RAW_READ_CHILD,
        bootstrap,
        mode,
        *topics,
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await child.communicate()
    if child.returncode != 0:
        raise RuntimeError(f"raw read process ended with exit code {child.returncode}")
    read = json.loads(out.decode().splitlines()[-1])
    return RawRead(read["records"], read["seconds"], read["cpu"])


def raw_read_child(bootstrap: str, mode: str, topics: Sequence[str]) -> None:
    cpu = cpu_seconds()
    with collector.paused() if mode != "plain" else contextlib.nullcontext():
        count, took = asyncio.run(raw_read(bootstrap, topics, decode=mode == "decoded"))
    cpu = cpu_seconds() - cpu
    print(json.dumps({"records": count, "seconds": took, "cpu": cpu / count}))


async def bench_rebuild(infra: Infra, events: int, processes: int, repeat: int) -> None:
    namespace = "benchlg" + uuid.uuid4().hex[:8]
    topics = Topics(namespace).all
    await ensure_topics(infra.kafka_bootstrap, topics)
    started = time.perf_counter()
    base = template(namespace)
    records: list[Record] = []
    township = 532327200
    while len(records) < events:
        records += clone(base, township)
        township += 1
    records = records[:events]
    print(f"generated {len(records):,} events in {time.perf_counter() - started:.1f} s", flush=True)
    started = time.perf_counter()
    await put(infra.kafka_bootstrap, records)
    print(f"produced in {time.perf_counter() - started:.1f} s", flush=True)
    del records, base
    await migrate(infra.database_url, namespace, "ledgers")
    db = await Database.connect(infra.database_url, namespace, min_size=1, max_size=4)
    try:
        ratios: list[float] = []
        paused_ratios: list[float] = []
        decoded_ratios: list[float] = []
        for attempt in range(repeat):
            # Each pair starts with nothing left to write back: the records just produced
            # or the tables the rebuild before wrote (printed, not timed).
            print(f"settled: dirty pages written in {settle():.1f} s")
            raw = await timed_raw_read(infra.kafka_bootstrap, topics, mode="plain")
            print(raw.line("raw aiokafka getmany"))
            # The rebuild's shares read with the collector paused; a plain read spends
            # about a third of its CPU in it. Every baseline, in the same run.
            raw_paused = await timed_raw_read(infra.kafka_bootstrap, topics, mode="paused")
            print(raw_paused.line("  same, collector off"))
            decoded = await timed_raw_read(infra.kafka_bootstrap, topics, mode="decoded")
            print(decoded.line("  + decode + validate"))
            load = os.getloadavg()[0]
            cpu = cpu_seconds()
            stats = await rebuild(
                db, infra.kafka_bootstrap, topics, CATALOGUE, processes=processes or None
            )
            rebuild_cpu = (cpu_seconds() - cpu) / stats.events
            ratios.append(stats.per_second / raw.rate)
            paused_ratios.append(stats.per_second / raw_paused.rate)
            decoded_ratios.append(stats.per_second / decoded.rate)
            into = "empty ledgers" if attempt == 0 else "the ledgers built before"
            print(
                f"ledgers rebuild       {stats.events:>9,} events  {stats.seconds:6.1f} s "
                f"{stats.per_second:10,.0f} /s  ({decoded_ratios[-1]:.2f} of the decoding "
                f"read, {ratios[-1]:.2f} of raw, {paused_ratios[-1]:.2f} of raw with the "
                f"collector off; into {into}; {processes or os.cpu_count()} processes, "
                f"load average {load:.2f} before)",
                flush=True,
            )
            # A raw read is one process, bound by its CPU when it is busy all its time;
            # the rebuild keeps every core busy. Then the ratio can be no more than the
            # cores times the CPU a record costs the raw read over what an event costs the
            # rebuild (less what the broker and PostgreSQL take of the cores meanwhile).
            cores = os.cpu_count() or 1
            print(
                f"  CPU {rebuild_cpu * 1e6:4.1f} us an event in the rebuild's processes; "
                f"{cores} cores at that cost: at most {cores * raw.cpu / rebuild_cpu:.2f} of "
                f"raw, {cores * raw_paused.cpu / rebuild_cpu:.2f} of raw with the collector "
                f"off, {cores * decoded.cpu / rebuild_cpu:.2f} of the decoding read, for "
                "reads that cost what these did"
            )
        hazards = await db.fetchval("SELECT count(*) FROM lg_hazards WHERE found_v IS NOT NULL")
        print(f"  ledger rows: {hazards:,} hazards")
        if repeat > 1:
            for label, values in (
                ("the decoding read", decoded_ratios),
                ("raw", ratios),
                ("raw with the collector off", paused_ratios),
            ):
                listed = ", ".join(f"{r:.2f}" for r in values)
                median = statistics.median(values)
                print(f"  rebuild / {label}: median {median:.2f} of {repeat} pairs ({listed})")
    finally:
        await db.execute(f"DROP SCHEMA IF EXISTS {namespace} CASCADE")
        await delete_topics_under(infra.kafka_bootstrap, [f"{namespace}."])
        await db.close()


async def bench_county_year(
    infra: Infra, townships: int, processes: int, scale: float = 1.0
) -> None:
    namespace = "benchcy" + uuid.uuid4().hex[:8]
    topics = Topics(namespace).all
    await ensure_topics(infra.kafka_bootstrap, topics)
    db: Database | None = None
    try:
        started = time.perf_counter()
        base = template(namespace, scaled(YEAR, scale))
        print(
            f"one township's year generated and encoded: {len(base):,} events in "
            f"{time.perf_counter() - started:.1f} s",
            flush=True,
        )
        started = time.perf_counter()
        produced = 0
        for n in range(townships):
            records = clone(base, 532327200 + n)
            await put(infra.kafka_bootstrap, records)
            produced += len(records)
        del records, base
        took = time.perf_counter() - started
        print(
            f"{townships} townships' years cloned and produced: {produced:,} events in "
            f"{took:.1f} s ({produced / took:,.0f} /s)",
            flush=True,
        )
        await migrate(infra.database_url, namespace, "ledgers")
        db = await Database.connect(infra.database_url, namespace, min_size=1, max_size=4)
        print(f"settled: dirty pages written in {settle():.1f} s")
        load = os.getloadavg()[0]
        cpu = cpu_seconds()
        stats = await rebuild(
            db, infra.kafka_bootstrap, topics, CATALOGUE, processes=processes or None
        )
        cpu = cpu_seconds() - cpu
        print(
            f"county-year rebuild   {stats.events:>9,} events  {stats.seconds:7.1f} s = "
            f"{stats.seconds / 60:.1f} min  {stats.per_second:10,.0f} events/s  "
            f"({processes or os.cpu_count()} processes, CPU {cpu / stats.events * 1e6:.1f} us "
            f"an event, load average {load:.2f} before)",
            flush=True,
        )
        if townships < COUNTY_TOWNSHIPS or scale != 1:
            minutes = COUNTY_YEAR_EVENTS / stats.per_second / 60
            print(
                f"  EXTRAPOLATED, not measured: {COUNTY_YEAR_EVENTS:,} events "
                f"({COUNTY_TOWNSHIPS} townships) at this rate would take {minutes:.1f} min; "
                f"measure it: uv run python bench/ledgers.py --county-year"
            )
        rows = {
            table: await db.fetchval(f"SELECT count(*) FROM {table}")
            for table in ("lg_hazards", "lg_sites")
        }
        print("  ledger rows: " + ", ".join(f"{n:,} in {t}" for t, n in rows.items()))
    finally:
        cleanup = db or await Database.connect(infra.database_url, "public", min_size=1, max_size=1)
        await cleanup.execute(f"DROP SCHEMA IF EXISTS {namespace} CASCADE")
        await cleanup.close()
        await delete_topics_under(infra.kafka_bootstrap, [f"{namespace}."])


# --- freshness -------------------------------------------------------------------------

TENANT = Tenant(county="532327", township="532327101")
CAMPAIGN = "c-fresh"
SITES = 100


async def publish(bootstrap: str, topics: Topics, events: list[Event]) -> None:
    records = []
    version: dict[str, int] = {}
    for event in events:
        aggregate = event.aggregate_id()
        version[aggregate] = version.get(aggregate, 0) + 1
        envelope = Envelope.for_event(
            event, tenant=TENANT, aggregate_id=aggregate, aggregate_version=version[aggregate]
        )
        key, headers, value = wire.encode(envelope, event)
        records.append((topics.of(event.context), key, headers, value))
    await put(bootstrap, records)


@asynccontextmanager
async def service(module: str, infra: Infra, namespace: str, port: int) -> AsyncIterator[str]:
    schema = f"{namespace}_{module.split('_')[1].split('.')[0]}"
    env = service_env(
        infra,
        schema=schema,
        namespace=namespace,
        port=port,
        CROSSCHECK_LOG_LEVEL="WARNING",
    )
    async with service_process(module, env, port):
        yield schema


WARM_UP_SECONDS = 1.0
# Each poll costs PostgreSQL a query and this process a round trip: polled twice as
# often, the probe took a noticeable share of a core from the services it measures.
# Every 10 ms, a latency reads at most 10 ms high.
POLL_SECONDS = 0.010


def warm_up(rate: float) -> int:
    """Commands sent at the offered rate before the measured ones."""
    return int(rate * WARM_UP_SECONDS)


def percentile(values: list[float], q: float) -> float:
    if len(values) < 2:
        return float("nan")
    return statistics.quantiles(values, n=1000, method="inclusive")[int(q * 10) - 1]


async def bench_freshness(infra: Infra, rate: float, seconds: float) -> None:
    namespace = "benchfr" + uuid.uuid4().hex[:8]
    topics = Topics(namespace)
    await ensure_topics(infra.kafka_bootstrap, topics.all)
    total = int(rate * seconds)
    rounds = min(366, -(-(total + warm_up(rate)) // SITES))
    campaign = FlatCampaign(CAMPAIGN, rounds, SITES)
    principal = Principal(
        subject="bench",
        name="bench",
        role=Role.GROUP_LEADER,
        county=TENANT.county,
        township=TENANT.township,
        staff_id=LEADER_ID,
    )
    token = infra.issuer.token(principal, timedelta(hours=2))
    hazards_port, ledgers_port = free_port(), free_port()
    schemas: list[str] = []
    try:
        async with (
            service("crosscheck_hazards.main", infra, namespace, hazards_port) as hz_schema,
            service("crosscheck_ledgers.main", infra, namespace, ledgers_port) as lg_schema,
        ):
            schemas += [hz_schema, lg_schema]
            await publish(infra.kafka_bootstrap, topics, campaign.events())
            hz = await Database.connect(infra.database_url, hz_schema, min_size=1, max_size=2)
            ledger = await Database.connect(infra.database_url, lg_schema, min_size=1, max_size=2)
            try:
                async with asyncio.timeout(120):
                    while await hz.fetchval("SELECT count(*) FROM round_sites") != rounds * SITES:
                        await asyncio.sleep(0.2)
                print(f"settled: dirty pages written in {settle():.1f} s")
                run = await _fresh_run(
                    hazards_port,
                    token,
                    ledger,
                    rate,
                    total,
                    campaign,
                    infra.kafka_bootstrap,
                    topics.of(BoundedContext.HAZARDS),
                )
            finally:
                await hz.close()
                await ledger.close()
        latencies = run.latencies
        print(
            f"freshness  {rate:.0f} commands/s offered for {run.took:.1f} s: "
            f"{len(latencies)} hazards seen in the hazard list  "
            f"p50 {percentile(latencies, 50) * 1000:6.1f} ms  "
            f"p99 {percentile(latencies, 99) * 1000:6.1f} ms  "
            f"max {max(latencies, default=0) * 1000:6.1f} ms  ({run.failed} failed)"
        )
        for stage, values in run.stages.items():
            print(
                f"  {stage:<34} p50 {percentile(values, 50) * 1000:6.1f} ms  "
                f"p99 {percentile(values, 99) * 1000:6.1f} ms"
            )
    finally:
        cleanup = await Database.connect(infra.database_url, "public", min_size=1, max_size=1)
        for schema in schemas:
            await cleanup.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        await cleanup.close()
        await delete_topics_under(infra.kafka_bootstrap, [f"{namespace}."])


@dataclass
class FreshRun:
    latencies: list[float]
    failed: int
    took: float
    stages: dict[str, list[float]]
    """Where the time went, per hazard: the three parts add up to its latency."""


async def _fresh_run(
    port: int,
    token: str,
    ledger: Database,
    rate: float,
    total: int,
    campaign: FlatCampaign,
    bootstrap: str,
    hazards_topic: str,
) -> FreshRun:
    due_of: dict[str, float] = {}  # hazard id -> when its command was due
    answered_at: dict[str, float] = {}  # hazard id -> when its command was answered
    on_kafka_at: dict[str, float] = {}  # hazard id -> its event's Kafka timestamp
    latencies: list[float] = []
    stages: dict[str, list[float]] = {
        "command answered": [],
        "answered -> on Kafka (outbox relay)": [],
        "on Kafka -> in the hazard list": [],
    }
    failed = 0
    done = asyncio.Event()

    async def watch() -> None:
        """When each HazardFound reached Kafka: its record's timestamp, set by the
        relay's producer, on this machine's clock (read through the same offset)."""
        reader = AIOKafkaConsumer(
            hazards_topic,
            bootstrap_servers=bootstrap_servers(bootstrap),
            group_id=None,
            auto_offset_reset="latest",
        )
        await reader.start()
        try:
            while True:
                batch = await reader.getmany(timeout_ms=100)
                offset = time.perf_counter() - time.time()
                for records in batch.values():
                    for record in records:
                        if record.key is not None:
                            on_kafka_at[record.key.decode()] = record.timestamp / 1000 + offset
        finally:
            await reader.stop()

    async def poll() -> None:
        async with ledger.dedicated() as conn:
            # A generic plan made while the hazard list was nearly empty scans the whole
            # table for every id asked, taking PostgreSQL's CPU from the services
            # measured. Planned each time, the poll is a look-up in the key.
            await conn.execute("SET plan_cache_mode = force_custom_plan")
            await _poll(conn)

    async def _poll(conn: Connection) -> None:
        while not (done.is_set() and not due_of):
            if due_of:
                rows = await conn.fetch(
                    "SELECT hazard_id FROM lg_hazards WHERE found_v IS NOT NULL "
                    "AND hazard_id = ANY($1)",
                    list(due_of),
                )
                now = time.perf_counter()
                for row in rows:
                    hazard_id = row["hazard_id"]
                    due = due_of.pop(hazard_id)
                    latencies.append(now - due)
                    answered = answered_at.pop(hazard_id)
                    on_kafka = on_kafka_at.pop(hazard_id, None)
                    if on_kafka is not None:
                        stages["command answered"].append(answered - due)
                        stages["answered -> on Kafka (outbox relay)"].append(on_kafka - answered)
                        stages["on Kafka -> in the hazard list"].append(now - on_kafka)
            await asyncio.sleep(POLL_SECONDS)

    async def one(client: OutboundHttp, n: int, due: float, measured: bool) -> None:
        nonlocal failed
        round_no, site = 1 + n // SITES, n % SITES
        body = campaign.inspection(round_no, site, items[n % len(items)])
        try:
            answer = await client.post(url, json.dumps(body).encode(), headers)
        except HttpError:
            failed += 1  # an overloaded service is a result to print, not a crash
            return
        if answer.status != 201:
            failed += 1
            return
        if not measured:
            return
        answered = time.perf_counter()
        for hazard_id in json.loads(answer.body)["hazard_ids"]:
            due_of[hazard_id] = due
            answered_at[hazard_id] = answered

    # The load generator shares the cores with both services: it must cost little.
    items = campaign.items
    url = f"http://127.0.0.1:{port}/v1/inspections"
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    # Started before the warm-up, so that it reads from the end before measured events.
    watcher = asyncio.create_task(watch())
    client = OutboundHttp(connections=64, timeout_s=30)
    try:
        first = 5  # one after the other: the first requests a process serves
        for n in range(first):
            await one(client, n, 0.0, measured=False)
        # The client's own full collections would show as latency of the system.
        gc.collect()
        gc.freeze()
        print("load average before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
        print(writeback())
        poller = asyncio.create_task(poll())
        # The offered rate starts with a warm-up that is not measured: going from idle to
        # the offered rate, the services' pools open their connections (each
        # prepares its statements and reads type information): stalls that a
        # system serving this rate has behind it.
        warm = warm_up(rate)
        begin = time.perf_counter() + 0.1
        start = begin + warm / rate
        tasks = []
        for n in range(first, warm + total):
            due = begin + (n - first) / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(client, n, due, measured=n >= warm)))
        await asyncio.gather(*tasks)
        done.set()
        async with asyncio.timeout(60):
            await poller
    finally:
        await client.close()
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher
    return FreshRun(latencies, failed, time.perf_counter() - start, stages)


async def main(args: argparse.Namespace) -> None:
    with ExitStack() as stack:
        infra = locate(stack)
        if args.county_year:
            await bench_county_year(infra, args.townships, args.processes, args.year_scale)
            return
        if args.events > 0:
            await bench_rebuild(infra, args.events, args.processes, args.repeat)
        if args.seconds > 0:
            await bench_freshness(infra, args.rate, args.seconds)


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000, help="0 skips the rebuild")
    parser.add_argument(
        "--processes", type=int, default=0, help="rebuild processes (0: one per core)"
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="raw read + rebuild pairs; rebuilds after the first go over the rows built before",
    )
    parser.add_argument("--seconds", type=float, default=20.0, help="0 skips freshness")
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument(
        "--county-year",
        action="store_true",
        help="only the county-year rebuild (--townships years of 250,000 events each)",
    )
    parser.add_argument(
        "--townships",
        type=int,
        default=COUNTY_TOWNSHIPS,
        help="townships of the county-year rebuild (20: 5,000,000 events)",
    )
    parser.add_argument(
        "--year-scale",
        type=float,
        default=1.0,
        help="a township's year times this (its places and hazards); for toy runs",
    )
    return parser.parse_args()


if __name__ == "__main__":
    if sys.argv[1:2] == [RAW_READ_CHILD]:
        raw_read_child(sys.argv[2], sys.argv[3], sys.argv[4:])
    else:
        asyncio.run(main(parse()))
