"""Malformed messages land on the dead-letter topic with their reason; good ones go on."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence

from aiokafka import AIOKafkaProducer

from crosscheck_contracts import kafka as wire
from crosscheck_contracts.base import BoundedContext
from crosscheck_contracts.envelope import Envelope
from crosscheck_contracts.topics import Topics, dead_letter_topic
from crosscheck_platform.consumer import Deduplication, IdempotentConsumer, ReceivedEvent
from crosscheck_platform.consumer.loop import ConsumerLoop
from crosscheck_platform.db import Connection, Database
from crosscheck_platform.kafka import bootstrap_servers
from crosscheck_testing.infra import Infra
from crosscheck_testing.kafka_reading import read_until
from crosscheck_testing.sample_events import TENANT, TEST_CATALOGUE, Counted
from crosscheck_testing.schema import migrated


def good(n: int) -> tuple[bytes, list[tuple[str, bytes]], bytes]:
    event = Counted(n=n)
    envelope = Envelope.for_event(event, tenant=TENANT, aggregate_id=f"s{n}", aggregate_version=1)
    return wire.encode(envelope, event)


def with_header(
    headers: list[tuple[str, bytes]], name: str, value: bytes
) -> list[tuple[str, bytes]]:
    return [(k, value if k == name else v) for k, v in headers]


async def test_malformed_messages_are_dead_lettered_with_reasons(
    infra: Infra, database: Database, topics: Topics
) -> None:
    topic = topics.of(BoundedContext.REGISTRY)
    key, headers, _ = good(1)
    bad = {
        "bad json": (key, headers, b"{not json"),
        "unknown type": (key, with_header(headers, "ce_type", b"crosscheck.test.Nope"), b"{}"),
        "schema-invalid": (key, headers, json.dumps({"n": "one"}).encode()),
        "not a cloudevent": (key, [], b'{"n": 1}'),
        "bad envelope": (key, with_header(headers, "ce_aggregateversion", b"zero"), b'{"n": 1}'),
        "not utf-8": (key, with_header(headers, "ce_township", b"\xff\xfe"), b'{"n": 1}'),
        "newer version": (key, with_header(headers, "ce_schemaversion", b"9"), b'{"n": 1}'),
    }
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap_servers(infra.kafka_bootstrap))
    await producer.start()
    for k, h, v in bad.values():
        await producer.send_and_wait(topic, value=v, key=k, headers=h)
    gk, gh, gv = good(2)
    await producer.send_and_wait(topic, value=gv, key=gk, headers=gh)
    await producer.stop()

    await database.execute("CREATE TABLE seen (n integer PRIMARY KEY)")

    async def remember(conn: Connection, item: ReceivedEvent) -> None:
        assert isinstance(item.event, Counted)
        await conn.execute("INSERT INTO seen VALUES ($1)", item.event.n)

    loop = ConsumerLoop(bootstrap_servers(infra.kafka_bootstrap), [topic])
    consumer = IdempotentConsumer(
        name=f"{database.schema}-dlq",
        db=database,
        catalogue=TEST_CATALOGUE,
        handler=remember,
        dead_letters=loop.dead_letter,
    )
    await migrated(consumer.db)
    await loop.start(consumer)
    try:
        async with asyncio.timeout(60):
            while consumer.applied < 1:
                await asyncio.sleep(0.05)
    finally:
        await loop.stop()

    assert [r["n"] for r in await database.fetch("SELECT n FROM seen")] == [2]
    # Only the event applied is marked applied: the ids of the messages that could not
    # be read (claimed as their headers gave them while the batch was decoded) were
    # taken back, so that a redrive finds them new.
    marked = await database.fetch(
        "SELECT event_id::text FROM processed_events WHERE consumer = $1", consumer.name
    )
    assert [r["event_id"] for r in marked] == [dict(gh)["ce_id"].decode()]
    letters = await read_until(
        infra.kafka_bootstrap, dead_letter_topic(topic), lambda rs: len(rs) >= len(bad)
    )
    reasons = [dict(r.headers)["dlq_reason"].decode() for r in letters]
    assert len(reasons) == len(bad), reasons
    joined = "\n".join(reasons)
    for fragment in (
        "Invalid JSON",
        "not UTF-8",
        "unknown event type",
        "n: Input should be a valid integer",
        "ce_type missing",
        "aggregateversion",
        "newer than this reader",
    ):
        assert fragment in joined, (fragment, reasons)
    for letter in letters:
        assert dict(letter.headers)["dlq_topic"].decode() == topic
        assert dict(letter.headers)["dlq_consumer"].decode() == consumer.name


async def test_an_event_a_batch_handler_rejects_is_dead_lettered_and_the_rest_applied(
    infra: Infra, database: Database, topics: Topics
) -> None:
    """The batch fails as a whole; isolated, only the poisoned event goes aside, and the
    partition positions move past it so a restart does not meet it again."""
    topic = topics.of(BoundedContext.REGISTRY)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap_servers(infra.kafka_bootstrap))
    await producer.start()
    for n in range(1, 31):
        k, h, v = good(n)
        await producer.send(topic, value=v, key=k, headers=h)
    await producer.flush()
    await producer.stop()
    await database.execute("CREATE TABLE seen (n integer PRIMARY KEY)")

    async def remember_all(conn: Connection, items: Sequence[ReceivedEvent]) -> None:
        numbers = [item.event.n for item in items if isinstance(item.event, Counted)]
        if 13 in numbers:
            raise ValueError("unlucky number")
        await conn.execute("INSERT INTO seen SELECT unnest($1::int[])", numbers)

    loop = ConsumerLoop(bootstrap_servers(infra.kafka_bootstrap), [topic])
    consumer = IdempotentConsumer(
        name=f"{database.schema}-batch",
        db=database,
        catalogue=TEST_CATALOGUE,
        batch_handler=remember_all,
        dead_letters=loop.dead_letter,
        deduplication=Deduplication.POSITION,
    )
    await migrated(consumer.db)
    await loop.start(consumer)
    try:
        async with asyncio.timeout(60):
            while consumer.applied + consumer.dead_lettered < 30:
                await asyncio.sleep(0.05)
    finally:
        await loop.stop()

    seen = sorted(r["n"] for r in await database.fetch("SELECT n FROM seen"))
    assert seen == [n for n in range(1, 31) if n != 13]
    letters = await read_until(infra.kafka_bootstrap, dead_letter_topic(topic), lambda rs: rs)
    assert len(letters) == 1
    assert dict(letters[0].headers)["dlq_reason"] == b"handler failed: ValueError: unlucky number"
    assert json.loads(letters[0].value)["n"] == 13
    positions = await database.fetchval("SELECT sum(next_offset) FROM consumer_positions")
    assert positions == 30
    assert await database.fetchval("SELECT count(*) FROM processed_events") == 0
