"""Consumers killed mid-batch, restarted and rebalanced end in the uninterrupted state."""

from __future__ import annotations

import asyncio
import random
import signal
import sys
from collections import Counter

import pytest
from aiokafka import AIOKafkaProducer

from crosscheck_contracts import kafka as wire
from crosscheck_contracts.base import BoundedContext
from crosscheck_contracts.envelope import Envelope
from crosscheck_contracts.topics import Topics
from crosscheck_platform.db import Database
from crosscheck_platform.kafka import bootstrap_servers
from crosscheck_testing.infra import Infra
from crosscheck_testing.sample_events import TENANT, Counted


async def produce_history(
    bootstrap: str, topic: str, streams: int, per_stream: int, republished: float
) -> Counter[str]:
    """Publish events, a share `republished` of them twice (as a relay that crashed
    after sending would); return the totals an uninterrupted, exactly-once run must
    reach."""
    rng = random.Random(3)
    expected: Counter[str] = Counter()
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap_servers(bootstrap), linger_ms=5)
    await producer.start()
    try:
        for version in range(1, per_stream + 1):
            for s in range(streams):
                stream = f"stream-{s}"
                event = Counted(n=version, amount=rng.randint(1, 9))
                envelope = Envelope.for_event(
                    event, tenant=TENANT, aggregate_id=stream, aggregate_version=version
                )
                key, headers, value = wire.encode(envelope, event)
                copies = 2 if rng.random() < republished else 1
                for _ in range(copies):
                    await producer.send(topic, value=value, key=key, headers=headers)
                expected[stream] += event.amount
        await producer.flush()
    finally:
        await producer.stop()
    return expected


async def start_consumer(
    infra: Infra, database: Database, topic: str, options: list[str]
) -> asyncio.subprocess.Process:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "crosscheck_testing.counting_consumer",
        "--bootstrap",
        infra.kafka_bootstrap,
        "--dsn",
        infra.database_url,
        "--schema",
        database.schema,
        "--topic",
        topic,
        "--group",
        f"{database.schema}-count",
        *options,
        stdout=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    assert (await asyncio.wait_for(process.stdout.readline(), 60)).strip() == b"started"
    return process


async def applied(database: Database) -> int:
    exists = await database.fetchval("SELECT to_regclass('totals') IS NOT NULL")
    return (
        int(await database.fetchval("SELECT coalesce(sum(applied), 0) FROM totals"))
        if exists
        else 0
    )


async def wait_for_applied(database: Database, at_least: int, timeout: float = 120) -> int:
    async with asyncio.timeout(timeout):
        while (count := await applied(database)) < at_least:
            await asyncio.sleep(0.05)
    return count


# Event-id tracking must also absorb republished copies; position tracking is for
# idempotent handlers, so its run has none, and its handler (a sum, not idempotent)
# would show any redelivered batch applied twice.
@pytest.mark.parametrize(
    ("options", "republished"),
    [
        pytest.param([], 0.1, id="event-ids"),
        pytest.param(["--deduplication", "position", "--batch"], 0.0, id="positions-batches"),
    ],
)
async def test_killed_restarted_and_rebalanced_consumers_apply_each_event_once(
    infra: Infra, database: Database, topics: Topics, options: list[str], republished: float
) -> None:
    topic = topics.of(BoundedContext.REGISTRY)
    expected = await produce_history(
        infra.kafka_bootstrap, topic, streams=12, per_stream=100, republished=republished
    )
    unique_events = 12 * 100

    # The worst moment first: a batch is in the database, its offsets are not in Kafka.
    crashed = await start_consumer(infra, database, topic, [*options, "--exit-after-commits", "2"])
    assert await asyncio.wait_for(crashed.wait(), 60) == 3
    assert await applied(database) > 0

    first = await start_consumer(infra, database, topic, options)
    await wait_for_applied(database, 400)
    first.send_signal(signal.SIGKILL)  # mid-batch: batches are 100 events, 2 ms each
    await first.wait()
    killed_at = await applied(database)
    assert killed_at < unique_events

    second = await start_consumer(infra, database, topic, options)
    await wait_for_applied(database, killed_at + 200)
    third = await start_consumer(infra, database, topic, options)  # a rebalance while busy
    await wait_for_applied(database, unique_events)
    await asyncio.sleep(2)  # anything counted twice would show up now

    for process in (second, third):
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), 30)
    rows = await database.fetch("SELECT stream, total, applied FROM totals")
    assert {r["stream"]: r["total"] for r in rows} == dict(expected)
    assert sum(r["applied"] for r in rows) == unique_events
    if options:
        assert await database.fetchval("SELECT count(*) FROM processed_events") == 0
        positions = await database.fetchval("SELECT sum(next_offset) FROM consumer_positions")
        assert positions == unique_events  # each record once, nothing republished
    else:
        assert await database.fetchval("SELECT count(*) FROM processed_events") == unique_events
