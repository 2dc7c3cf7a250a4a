"""Dead letters listed, shown and redriven on the real broker: a redriven letter is
applied once by the consumer that set it aside, however often it is redriven."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator, Callable

import pytest
from aiokafka import AIOKafkaProducer

from crosscheck_contracts import kafka as wire
from crosscheck_contracts.base import BoundedContext
from crosscheck_contracts.envelope import Envelope
from crosscheck_contracts.topics import Topics, dead_letter_topic
from crosscheck_platform.consumer import IdempotentConsumer, ReceivedEvent
from crosscheck_platform.consumer.loop import ConsumerLoop
from crosscheck_platform.db import Connection, Database
from crosscheck_platform.deadletters import LetterFilter, read_letters
from crosscheck_platform.deadletters.cli import main as deadletters
from crosscheck_testing.infra import Infra
from crosscheck_testing.sample_events import TENANT, TEST_CATALOGUE, Counted
from crosscheck_testing.schema import migrated

# One key for every message: one partition, so the order of arrival is the order read.
KEY = "site-1"


def message(
    n: int, *, schema_version: str | None = None
) -> tuple[bytes, list[tuple[str, bytes]], bytes]:
    event = Counted(n=n)
    envelope = Envelope.for_event(event, tenant=TENANT, aggregate_id=KEY, aggregate_version=n)
    key, headers, value = wire.encode(envelope, event)
    if schema_version is not None:
        headers = [
            (k, schema_version.encode() if k == "ce_schemaversion" else v) for k, v in headers
        ]
    return key, headers, value


async def publish(
    infra: Infra, topic: str, *messages: tuple[bytes, list[tuple[str, bytes]], bytes]
) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=infra.kafka_bootstrap)
    await producer.start()
    try:
        for key, headers, value in messages:
            await producer.send_and_wait(topic, value=value, key=key, headers=headers)
    finally:
        await producer.stop()


def counting(rejects: set[int]) -> Callable[[Connection, ReceivedEvent], object]:
    async def remember(conn: Connection, item: ReceivedEvent) -> None:
        assert isinstance(item.event, Counted)
        if item.event.n in rejects:
            raise ValueError(f"cannot take {item.event.n} yet")
        await conn.execute("INSERT INTO seen VALUES ($1)", item.event.n)

    return remember


@pytest.fixture
async def seen_table(database: Database) -> AsyncIterator[Database]:
    await database.execute("CREATE TABLE seen (n integer)")  # no key: doubles would show
    yield database


async def consume_until(
    infra: Infra,
    database: Database,
    topic: str,
    rejects: set[int],
    done: Callable[[IdempotentConsumer], bool],
) -> None:
    loop = ConsumerLoop(infra.kafka_bootstrap, [topic])
    consumer = IdempotentConsumer(
        name=f"{database.schema}-ledger",
        db=database,
        catalogue=TEST_CATALOGUE,
        handler=counting(rejects),  # type: ignore[arg-type]
        dead_letters=loop.dead_letter,
    )
    await migrated(consumer.db)
    await loop.start(consumer)
    try:
        async with asyncio.timeout(60):
            while not done(consumer):
                await asyncio.sleep(0.05)
    finally:
        await loop.stop()


async def seen(database: Database) -> list[int]:
    return sorted(r["n"] for r in await database.fetch("SELECT n FROM seen"))


async def test_letters_are_listed_filtered_and_redriven_once(
    infra: Infra, seen_table: Database, topics: Topics
) -> None:
    database = seen_table
    topic = topics.of(BoundedContext.REGISTRY)
    dlq = dead_letter_topic(topic)
    await publish(infra, topic, message(1), message(2, schema_version="9"), message(3))
    # The old consumer: reads schema version 1 only and cannot take event 3 yet.
    await consume_until(infra, database, topic, {3}, lambda c: c.applied + c.dead_lettered >= 3)
    assert await seen(database) == [1]

    letters = await read_letters(infra.kafka_bootstrap, dlq)
    assert len(letters) == 2
    assert {letter.origin for letter in letters} == {topic}
    newer = await read_letters(infra.kafka_bootstrap, dlq, LetterFilter(reason="NEWER"))
    assert len(newer) == 1 and "newer than this reader" in newer[0].reason

    env = {
        **os.environ,
        "CROSSCHECK_KAFKA_BOOTSTRAP": infra.kafka_bootstrap,
        "CROSSCHECK_TOPIC_NAMESPACE": topics.namespace,
    }

    async def cli(*argv: str) -> str:
        """The command as an operator runs it, in a process of its own."""
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "crosscheck_platform.deadletters.cli",
            *argv,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await process.communicate()
        assert process.returncode == 0, err.decode()
        return out.decode()

    listed = await cli("list", "registry")
    assert f"{dlq}: 2 letter(s)" in listed and "cannot take 3 yet" in listed
    [handler_letter] = [letter for letter in letters if "cannot take" in letter.reason]
    shown = await cli("show", "registry", handler_letter.position)
    assert '"n": 3' in shown and "ce_type: crosscheck.test.Counted" in shown

    ends_before = await read_letters(infra.kafka_bootstrap, topic)
    assert "would redrive 1 letter(s)" in await cli(
        "redrive", "registry", "--reason", "cannot take", "--dry-run"
    )
    assert len(await read_letters(infra.kafka_bootstrap, topic)) == len(ends_before)

    # The consumer upgraded: it takes event 3 now. Redriven twice, applied once.
    assert "published 1 letter(s)" in await cli("redrive", "registry", "--reason", "cannot take")
    assert "published 1 letter(s)" in await cli("redrive", topic, "--at", handler_letter.position)
    await publish(infra, topic, message(4))  # after both copies, on the same partition
    await consume_until(infra, database, topic, set(), lambda c: c.applied >= 2)
    assert await seen(database) == [1, 3, 4]
    # The letter of a newer schema stays aside until a reader of that version redrives it.
    assert len(await read_letters(infra.kafka_bootstrap, dlq, LetterFilter(reason="newer"))) == 1


def test_redrive_wants_to_be_told_which_letters(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CROSSCHECK_KAFKA_BOOTSTRAP", "127.0.0.1:1")
    with pytest.raises(SystemExit) as ended:
        deadletters(["redrive", "hazards"])
    assert ended.value.code == 2
    assert "--all" in capsys.readouterr().err
