"""The consumer runner: Kafka records in, one database transaction per batch out.

At-least-once delivery from Kafka becomes exactly-once in effect: each event's id is
recorded in the same transaction as what the handler does with it, and Kafka offsets
are committed only after that transaction. Redelivery after a crash, a rebalance or a
relay republish finds the id already recorded and changes nothing.

Messages that cannot be read (bad JSON, unknown type, invalid payload) or that the
handler rejects go to the topic's dead-letter twin with the reason; the rest go on.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg

from crosscheck_contracts import kafka as wire
from crosscheck_contracts.base import Event
from crosscheck_contracts.catalogue import EventCatalogue
from crosscheck_contracts.envelope import Envelope
from crosscheck_platform.consumer.deadletter import DeadLetter, DeadLetterSink
from crosscheck_platform.consumer.tracking import TRACKING_DDL, claim_new
from crosscheck_platform.db import Connection, Database

log = logging.getLogger(__name__)

# Failures worth retrying the whole batch for, rather than dead-lettering a message.
TRANSIENT = (
    OSError,
    asyncio.TimeoutError,
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.SerializationError,
    asyncpg.DeadlockDetectedError,
    asyncpg.TooManyConnectionsError,
)


@dataclass(frozen=True)
class ReceivedEvent:
    envelope: Envelope
    event: Event
    topic: str
    partition: int
    offset: int


EventHandler = Callable[[Connection, ReceivedEvent], Awaitable[None]]


class IdempotentConsumer:
    def __init__(
        self,
        *,
        name: str,
        db: Database,
        catalogue: EventCatalogue,
        handler: EventHandler,
        dead_letters: DeadLetterSink,
    ) -> None:
        self.name = name
        self.db = db
        self.catalogue = catalogue
        self.handler = handler
        self.dead_letters = dead_letters
        self.applied = 0
        self.dead_lettered = 0

    async def setup(self) -> None:
        await self.db.migrate(TRACKING_DDL)

    async def handle_records(self, records: Sequence[Any]) -> None:
        """Apply one batch of aiokafka ConsumerRecords. Raises only transient errors,
        after which the caller must redeliver the batch (nothing of it is committed)."""
        received: list[ReceivedEvent] = []
        letters: list[DeadLetter] = []
        for record in records:
            try:
                envelope, event = wire.decode(self.catalogue, record.headers, record.value)
            except wire.InvalidMessage as exc:
                letters.append(DeadLetter.of(record, exc.reason))
                continue
            received.append(
                ReceivedEvent(envelope, event, record.topic, record.partition, record.offset)
            )
        try:
            applied = await self._apply_batch(received)
        except TRANSIENT:
            raise
        except Exception:
            log.exception(
                "batch failed; isolating the failing events", extra={"consumer": self.name}
            )
            applied, rejected = await self._apply_one_by_one(received, records)
            letters.extend(rejected)
        for letter in letters:
            await self.dead_letters(letter, self.name)
            log.warning(
                "dead-lettered",
                extra={
                    "consumer": self.name,
                    "topic": letter.topic,
                    "offset": letter.offset,
                    "reason": letter.reason,
                },
            )
        self.applied += applied
        self.dead_lettered += len(letters)

    async def _apply_batch(self, received: Sequence[ReceivedEvent]) -> int:
        if not received:
            return 0
        applied = 0
        async with self.db.transaction() as conn:
            fresh = await claim_new(conn, self.name, [r.envelope.id for r in received])
            for item in received:
                if item.envelope.id in fresh:
                    fresh.discard(item.envelope.id)  # the same event twice in one batch
                    await self.handler(conn, item)
                    applied += 1
        return applied

    async def _apply_one_by_one(
        self, received: Sequence[ReceivedEvent], records: Sequence[Any]
    ) -> tuple[int, list[DeadLetter]]:
        by_offset = {(r.topic, r.partition, r.offset): r for r in records}
        applied = 0
        rejected: list[DeadLetter] = []
        async with self.db.transaction() as conn:
            for item in received:
                try:
                    async with conn.transaction():  # a savepoint per event
                        if await claim_new(conn, self.name, [item.envelope.id]):
                            await self.handler(conn, item)
                            applied += 1
                except TRANSIENT:
                    raise
                except Exception as exc:
                    record = by_offset[(item.topic, item.partition, item.offset)]
                    reason = f"handler failed: {type(exc).__name__}: {exc}"
                    rejected.append(DeadLetter.of(record, reason))
        return applied, rejected
