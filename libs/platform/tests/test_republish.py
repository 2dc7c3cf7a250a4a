"""`crosscheck-republish` on the real broker and database: a schema's stored events go
out again byte for byte as the relay first published them (id, key, headers, payload),
each aggregate in version order, to a cluster that lost its topics; a consumer that had
already read the originals applies nothing twice; a running relay blocks the run."""

from __future__ import annotations

import asyncio
import os
import sys
from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any

from aiokafka import AIOKafkaConsumer

from crosscheck_contracts.events import CATALOGUE
from crosscheck_contracts.samples import TENANT, all_samples
from crosscheck_contracts.topics import Topics
from crosscheck_platform.consumer import IdempotentConsumer, ReceivedEvent
from crosscheck_platform.consumer.deadletter import DeadLetter
from crosscheck_platform.db import Connection, Database
from crosscheck_platform.eventstore import CommandContext
from crosscheck_platform.eventstore.postgres import PostgresEventStore
from crosscheck_platform.kafka import ensure_topics, reliable_producer
from crosscheck_platform.kafka.security import client_options
from crosscheck_platform.outbox import OutboxRelay
from crosscheck_testing.fixtures import TEST_PARTITIONS, new_namespace
from crosscheck_testing.infra import Infra
from crosscheck_testing.schema import migrated

STREAMS = 8


async def cli(infra: Infra, database: Database, namespace: str, *argv: str) -> tuple[int, str]:
    """The command as an operator runs it, in a process of its own."""
    env = {
        **os.environ,
        "CROSSCHECK_KAFKA_BOOTSTRAP": infra.kafka_bootstrap,
        "CROSSCHECK_DATABASE_URL": infra.database_url,
        "CROSSCHECK_TOPIC_NAMESPACE": namespace,
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "crosscheck_platform.republish.cli",
        "registry",
        "--schema",
        database.schema,
        *argv,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await process.communicate()
    assert process.returncode is not None
    return process.returncode, out.decode()


async def read_all(infra: Infra, topics: Topics, expected: int) -> list[Any]:
    """Every record of the namespace's event topics once `expected` arrived (and a short
    while longer, for any that should not be there)."""
    consumer = AIOKafkaConsumer(
        *topics.all,
        **client_options(infra.kafka_bootstrap),
        group_id=None,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    records: list[Any] = []
    try:
        quiet_until = None
        async with asyncio.timeout(60):
            while True:
                batch = await consumer.getmany(timeout_ms=200)
                for part in batch.values():
                    records.extend(part)
                now = asyncio.get_running_loop().time()
                if len(records) >= expected and quiet_until is None:
                    quiet_until = now + 1.5
                if quiet_until is not None and now >= quiet_until:
                    return records
    finally:
        await consumer.stop()


def message_view(records: Sequence[Any]) -> dict[bytes, list[tuple[Any, ...]]]:
    """Per key, the messages in partition order, without the topic's namespace."""
    per_key: dict[bytes, list[tuple[Any, ...]]] = defaultdict(list)
    for r in sorted(records, key=lambda r: (r.topic, r.partition, r.offset)):
        per_key[r.key].append((r.topic.split(".", 1)[1], tuple(r.headers), r.value))
    return per_key


async def test_republish_sends_the_stored_events_again_as_first_published(
    infra: Infra, database: Database, topics: Topics
) -> None:
    store = PostgresEventStore(await migrated(database), CATALOGUE, topics)
    samples = all_samples()
    for s in range(STREAMS):
        # Two appends per stream, so the store interleaves the streams' events.
        half = len(samples) // 2
        await store.append(f"agg-{s}", 0, samples[:half], CommandContext(tenant=TENANT))
    for s in range(STREAMS):
        half = len(samples) // 2
        await store.append(f"agg-{s}", half, samples[half:], CommandContext(tenant=TENANT))
    total = STREAMS * len(samples)

    # The relay publishes them once, as in production.
    producer = reliable_producer(infra.kafka_bootstrap)
    await producer.start()
    try:
        assert await OutboxRelay(database, producer).publish_pending() == total

        # While a relay leads the schema, a republish is refused.
        relay = OutboxRelay(database, producer, idle_poll_seconds=0.1)
        running = asyncio.create_task(relay.run())
        await asyncio.sleep(1.0)
        code, out = await cli(infra, database, topics.namespace)
        assert code == 1 and "relay" in out and database.schema in out, out
        relay.stop()
        await asyncio.wait_for(running, 10)
    finally:
        await producer.stop()
    originals = await read_all(infra, topics, total)
    assert len(originals) == total

    # A dry run counts and sends nothing.
    lost = Topics(namespace=new_namespace())
    await ensure_topics(infra.kafka_bootstrap, lost.all, partitions=TEST_PARTITIONS)
    code, out = await cli(infra, database, lost.namespace, "--dry-run")
    assert code == 0 and f"would republish {total} event(s)" in out, out
    assert await read_all(infra, lost, 0) == []

    # The cluster lost its topics: republished there, byte for byte, in the same order.
    code, out = await cli(infra, database, lost.namespace)
    assert code == 0 and f"republished {total} event(s)" in out, out
    again = await read_all(infra, lost, total)
    assert len(again) == total
    assert message_view(again) == message_view(originals)
    for key, messages in message_view(again).items():
        versions = [int(dict(headers)["ce_aggregateversion"]) for _, headers, _ in messages]
        per_topic: dict[str, list[int]] = defaultdict(list)
        for (topic, _, _), version in zip(messages, versions, strict=True):
            per_topic[topic].append(version)
        assert all(v == sorted(v) for v in per_topic.values()), (key, per_topic)

    # Republished onto the topics a consumer has already read: it applies nothing twice.
    code, out = await cli(infra, database, topics.namespace)
    assert code == 0, out
    both = await read_all(infra, topics, 2 * total)
    assert len(both) == 2 * total
    applied: Counter[str] = Counter()

    async def count(conn: Connection, item: ReceivedEvent) -> None:
        applied[str(item.envelope.id)] += 1

    async def no_dead_letters(letter: DeadLetter, consumer: str) -> None:
        raise AssertionError(f"{consumer} could not read {letter}")

    consumer = IdempotentConsumer(
        name="subscriber",
        db=database,
        catalogue=CATALOGUE,
        handler=count,
        dead_letters=no_dead_letters,
    )
    for record in sorted(both, key=lambda r: (r.topic, r.partition, r.offset)):
        await consumer.handle_records([record])
    assert len(applied) == total and set(applied.values()) == {1}
