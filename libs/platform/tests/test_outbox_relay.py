"""The outbox relay on the real broker and database."""

from __future__ import annotations

import asyncio
import random
from collections import defaultdict
from collections.abc import AsyncIterator
from typing import Any

import pytest
from cloudevents.core.bindings.kafka import KafkaMessage, from_binary
from cloudevents.core.formats.json import JSONFormat

from crosscheck_contracts import kafka as wire
from crosscheck_contracts.base import BoundedContext
from crosscheck_contracts.topics import Topics
from crosscheck_platform.db import Database
from crosscheck_platform.eventstore import CommandContext
from crosscheck_platform.eventstore.postgres import PostgresEventStore
from crosscheck_platform.kafka import reliable_producer
from crosscheck_platform.outbox import OutboxRelay
from crosscheck_testing.infra import Infra
from crosscheck_testing.kafka_reading import read_until
from crosscheck_testing.sample_events import TENANT, TEST_CATALOGUE, Counted
from crosscheck_testing.schema import migrated

CONTEXT = CommandContext(tenant=TENANT)


async def outbox_drains(store: PostgresEventStore, seconds: float = 10) -> bool:
    for _ in range(int(seconds / 0.05)):
        if await store.db.fetchval("SELECT count(*) FROM outbox") == 0:
            return True
        await asyncio.sleep(0.05)
    return False


@pytest.fixture
async def store(database: Database, topics: Topics) -> PostgresEventStore:
    pg = PostgresEventStore(database, TEST_CATALOGUE, topics)
    await migrated(pg.db)
    return pg


@pytest.fixture
async def relay(infra: Infra, database: Database) -> AsyncIterator[OutboxRelay]:
    producer = reliable_producer(infra.kafka_bootstrap)
    await producer.start()
    relay = OutboxRelay(database, producer, batch_size=200, idle_poll_seconds=0.2)
    task = asyncio.create_task(relay.run())
    yield relay
    relay.stop()
    await asyncio.wait_for(task, 10)
    await producer.stop()


async def test_appended_event_reaches_kafka_as_a_cloudevent(
    infra: Infra, store: PostgresEventStore, topics: Topics, relay: OutboxRelay
) -> None:
    [stored] = await store.append("site-7", 0, [Counted(n=7, amount=3)], CONTEXT)
    topic = topics.of(BoundedContext.REGISTRY)
    [record] = await read_until(infra.kafka_bootstrap, topic, lambda rs: len(rs) >= 1)

    event = from_binary(
        KafkaMessage(headers=dict(record.headers), key=record.key, value=record.value),
        JSONFormat(),
    )
    assert event.get_id() == str(stored.envelope.id)
    assert event.get_type() == "crosscheck.test.Counted"
    assert event.get_source() == "/crosscheck/registry"
    assert event.get_subject() == "site-7"
    assert event.get_extension("township") == TENANT.township
    assert event.get_extension("aggregateversion") == "1"
    assert event.get_data() == {"n": 7, "amount": 3}
    assert record.key == b"site-7"
    # and our own decoder agrees
    envelope, payload = wire.decode(TEST_CATALOGUE, record.headers, record.value)
    assert envelope == stored.envelope and payload == Counted(n=7, amount=3)
    # The relay deletes the row right after Kafka's acknowledgement, which may come
    # a moment after our reader already saw the message.
    assert await outbox_drains(store)


async def test_interleaved_commits_skip_nothing(
    infra: Infra, store: PostgresEventStore, topics: Topics, relay: OutboxRelay
) -> None:
    """20 writers x 200 events whose transactions commit out of id order while the relay
    runs: every event reaches Kafka, and each stream's events stay in version order."""
    writers, per_writer = 20, 200
    rng = random.Random(7)

    async def writer(w: int) -> None:
        for i in range(per_writer):
            stream = f"w{w}-s{i % 5}"
            async with store.db.transaction() as conn:
                version = await store.stream_version(stream)
                await store.append(stream, version, [Counted(n=i)], CONTEXT, connection=conn)
                # Hold the transaction open a random while: later ids commit first.
                if rng.random() < 0.3:
                    await asyncio.sleep(rng.random() * 0.02)

    await asyncio.gather(*(writer(w) for w in range(writers)))
    expected = writers * per_writer
    topic = topics.of(BoundedContext.REGISTRY)

    def all_seen(records: list[Any]) -> bool:
        return len({dict(r.headers)["ce_id"] for r in records}) >= expected

    records = await read_until(infra.kafka_bootstrap, topic, all_seen, timeout=120)
    ids = {dict(r.headers)["ce_id"] for r in records}
    assert len(ids) == expected

    versions: dict[bytes, list[int]] = defaultdict(list)
    for record in records:
        versions[record.key].append(int(dict(record.headers)["ce_aggregateversion"]))
    for key, seen in versions.items():
        assert seen == sorted(seen), f"stream {key!r} out of order: {seen}"
    assert await outbox_drains(store)
