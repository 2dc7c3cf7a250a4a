"""The consumer runner: Kafka records in, one database transaction per batch out.

At-least-once delivery from Kafka becomes exactly-once in effect: what the handler does
with a batch and the record of what was applied (event ids, or partition positions for
handlers that are idempotent per event; see tracking) commit in one transaction, and
Kafka offsets are committed only after it. Redelivery after a crash or a rebalance, and
with event-id tracking also a relay republish, changes nothing.

Messages that cannot be read (bad JSON, unknown type, invalid payload) or that the
handler rejects go to the topic's dead-letter twin with the reason; the rest go on. The
dead letters are published before the transaction commits, so a crash in between
sends them again rather than losing them.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple
from uuid import UUID

import asyncpg

from crosscheck_contracts import kafka as wire
from crosscheck_contracts.base import Event
from crosscheck_contracts.catalogue import EventCatalogue
from crosscheck_contracts.envelope import Envelope
from crosscheck_platform import collector
from crosscheck_platform.consumer.deadletter import DeadLetter, DeadLetterSink
from crosscheck_platform.consumer.tracking import (
    Deduplication,
    Partition,
    advance_positions,
    claim_new,
    lock_positions,
    unclaim,
)
from crosscheck_platform.db import Connection, Database
from crosscheck_platform.eventstore.postgres import TRACEPARENT_HEADER
from crosscheck_platform.tracing import batch_spans, consumer_span

log = logging.getLogger(__name__)

ID_HEADER = wire.CE_PREFIX + "id"

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


class ReceivedEvent(NamedTuple):
    # A tuple rather than a frozen dataclass: one is made per message read.
    envelope: Envelope
    event: Event
    topic: str
    partition: int
    offset: int
    traceparent: str | None = None
    """The trace that recorded the event (`ce_traceparent`), when it was traced."""


EventHandler = Callable[[Connection, ReceivedEvent], Awaitable[None]]
BatchHandler = Callable[[Connection, Sequence[ReceivedEvent]], Awaitable[None]]
"""Applies several events at once (e.g. merged into one upsert per table). Called with
the batch in offset order per partition; with single events when a batch is isolated."""


@dataclass
class _Outcome:
    applied: int
    letters: list[DeadLetter]


class IdempotentConsumer:
    def __init__(
        self,
        *,
        name: str,
        db: Database,
        catalogue: EventCatalogue,
        handler: EventHandler | None = None,
        batch_handler: BatchHandler | None = None,
        dead_letters: DeadLetterSink,
        deduplication: Deduplication = Deduplication.EVENT_ID,
    ) -> None:
        self.name = name
        if batch_handler is not None and handler is None:
            self.apply = self._traced_batches(batch_handler)
        elif handler is not None and batch_handler is None:
            self.apply = self._traced_events(handler)
        else:
            raise TypeError("give either handler or batch_handler")
        self.db = db
        self.catalogue = catalogue
        self.dead_letters = dead_letters
        self.deduplication = deduplication
        self.applied = 0
        self.dead_lettered = 0
        # By the topic the message came from: /metrics reports them so.
        self.dead_lettered_by_topic: Counter[str] = Counter()

    def _traced_events(self, handler: EventHandler) -> BatchHandler:
        """Each event applied in a span continuing its trace: what the handler records
        meanwhile carries the trace on."""

        span_name = f"{self.name} apply"

        async def apply(conn: Connection, items: Sequence[ReceivedEvent]) -> None:
            for item in items:
                if item.traceparent is None:
                    # No trace to continue: no span (consumer_span would make none), and
                    # none of its per-event cost (its attributes, the context manager).
                    await handler(conn, item)
                    continue
                with consumer_span(span_name, item.traceparent, **_attributes(item)):
                    await handler(conn, item)

        return apply

    def _traced_batches(self, handler: BatchHandler) -> BatchHandler:
        async def apply(conn: Connection, items: Sequence[ReceivedEvent]) -> None:
            traced = [i.traceparent for i in items if i.traceparent]
            if not traced:
                await handler(conn, items)
                return
            with batch_spans(f"{self.name} apply", traced, consumer=self.name):
                await handler(conn, items)

        return apply

    async def handle_records(self, records: Sequence[Any]) -> None:
        """Apply one batch of aiokafka ConsumerRecords. Raises only transient errors,
        after which the caller must redeliver the batch (nothing of it is committed)."""
        if not records:
            return
        # The batch's decoded events live until it is applied, across its statements'
        # awaits: with the cyclic collector running, each of its young collections
        # walked them again (in the foundation benchmark the collector took about a
        # fifth of the consumer's CPU, twice what it takes a bare decoding read). Paused
        # for the batch, they go by reference counting when it ends; what other tasks
        # leave meanwhile is collected once it resumes.
        with collector.paused():
            try:
                outcome = await self._run(records, isolate=False)
            except TRANSIENT:
                raise
            except Exception:
                log.exception(
                    "batch failed; isolating the failing events", extra={"consumer": self.name}
                )
                outcome = await self._run(records, isolate=True)
        self.applied += outcome.applied
        self.dead_lettered += len(outcome.letters)
        self.dead_lettered_by_topic.update(letter.topic for letter in outcome.letters)

    async def _run(self, records: Sequence[Any], *, isolate: bool) -> _Outcome:
        by_position = self.deduplication is Deduplication.POSITION
        async with self.db.transaction() as conn:
            if by_position:
                positions = await lock_positions(
                    conn, self.name, ((r.topic, r.partition) for r in records)
                )
                todo = [r for r in records if r.offset >= positions[(r.topic, r.partition)]]
            else:
                todo = list(records)
            if isolate:
                received, letters = self._decode(todo)
                applied, rejected = await self._apply_one_by_one(conn, received, todo)
                letters.extend(rejected)
            elif by_position:
                received, letters = self._decode(todo)
                applied = await self._apply_batch(conn, received)
            else:
                fresh, letters = await self._decode_while_claiming(conn, todo)
                if fresh:
                    await self.apply(conn, fresh)
                applied = len(fresh)
            if by_position:
                await advance_positions(conn, self.name, _next_offsets(records))
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
        return _Outcome(applied, letters)

    def _decode(self, records: Sequence[Any]) -> tuple[list[ReceivedEvent], list[DeadLetter]]:
        # Runs with the collector paused (handle_records): the decoded messages stay
        # alive until the batch is applied, and the collector would run every few dozen
        # messages and walk them again each time (a large share of decoding's cost).
        received: list[ReceivedEvent] = []
        letters: list[DeadLetter] = []
        decode, catalogue = wire.decode, self.catalogue
        for record in records:
            try:
                envelope, event = decode(catalogue, record.headers, record.value)
            except wire.InvalidMessage as exc:
                letters.append(DeadLetter.of(record, exc.reason))
                continue
            received.append(
                ReceivedEvent(
                    envelope,
                    event,
                    record.topic,
                    record.partition,
                    record.offset,
                    _traceparent(record.headers),
                )
            )
        return received, letters

    async def _decode_while_claiming(
        self, conn: Connection, records: Sequence[Any]
    ) -> tuple[list[ReceivedEvent], list[DeadLetter]]:
        """With event-id tracking: the batch's events not applied before (each once),
        and its dead letters. The ids are claimed as the headers give them while the
        messages are decoded: PostgreSQL records them while this process decodes (each
        took about as long as the other in the foundation benchmark). Claims that no
        event read uses are taken back (a message that could not be read must be new
        to a redrive); an event whose id the headers did not give is claimed after."""
        ids = _header_ids(records)
        claiming = asyncio.ensure_future(claim_new(conn, self.name, ids))
        try:
            await asyncio.sleep(0)  # the claim is sent: PostgreSQL works from here
            received, letters = self._decode(records)
        except BaseException:
            # The connection must be free before the transaction rolls back.
            await asyncio.wait([claiming])
            if not claiming.cancelled():
                claiming.exception()  # retrieved: the error raised here is what counts
            raise
        fresh = await claiming
        claimed = set(ids)
        unseen = [r.envelope.id for r in received if r.envelope.id not in claimed]
        if unseen:
            fresh |= await claim_new(conn, self.name, unseen)
        out = []
        for item in received:
            if item.envelope.id in fresh:
                fresh.discard(item.envelope.id)  # the same event twice in one batch
                out.append(item)
        if fresh:
            await unclaim(conn, self.name, fresh)
        return out, letters

    async def _fresh(
        self, conn: Connection, received: Sequence[ReceivedEvent]
    ) -> list[ReceivedEvent]:
        """The events of `received` not applied before, each once."""
        if self.deduplication is Deduplication.POSITION:
            return list(received)  # positions already excluded what was applied
        fresh = await claim_new(conn, self.name, [r.envelope.id for r in received])
        out = []
        for item in received:
            if item.envelope.id in fresh:
                fresh.discard(item.envelope.id)  # the same event twice in one batch
                out.append(item)
        return out

    async def _apply_batch(self, conn: Connection, received: Sequence[ReceivedEvent]) -> int:
        if not received:
            return 0
        fresh = await self._fresh(conn, received)
        if fresh:
            await self.apply(conn, fresh)
        return len(fresh)

    async def _apply_one_by_one(
        self, conn: Connection, received: Sequence[ReceivedEvent], records: Sequence[Any]
    ) -> tuple[int, list[DeadLetter]]:
        by_offset = {(r.topic, r.partition, r.offset): r for r in records}
        applied = 0
        rejected: list[DeadLetter] = []
        for item in received:
            try:
                async with conn.transaction():  # a savepoint per event
                    fresh = await self._fresh(conn, [item])
                    if fresh:
                        await self.apply(conn, fresh)
                        applied += 1
            except TRANSIENT:
                raise
            except Exception as exc:
                record = by_offset[(item.topic, item.partition, item.offset)]
                reason = f"handler failed: {type(exc).__name__}: {exc}"
                rejected.append(DeadLetter.of(record, reason))
        return applied, rejected


def _header_ids(records: Sequence[Any]) -> list[UUID]:
    """The event ids the records' `ce_id` headers give, where they read as UUIDs (those
    that do not are dead letters: their envelopes will not read either)."""
    ids = []
    for record in records:
        for name, raw in record.headers or ():
            if name == ID_HEADER:
                try:
                    event_id = UUID(raw.decode("ascii"))
                except (ValueError, UnicodeDecodeError, AttributeError):
                    break
                ids.append(event_id)
                break
    return ids


def _traceparent(headers: Sequence[tuple[str, bytes]] | None) -> str | None:
    """The event's trace: the relay writes it as the last header (a look at one header,
    not a search, for every message read)."""
    if headers:
        name, raw = headers[-1]
        if name == TRACEPARENT_HEADER:
            return raw.decode("ascii", "replace")
    return None


def _attributes(item: ReceivedEvent) -> dict[str, str]:
    return {
        "messaging.destination.name": item.topic,
        "crosscheck.event.type": item.envelope.type,
        "crosscheck.event.id": str(item.envelope.id),
    }


def _next_offsets(records: Sequence[Any]) -> dict[Partition, int]:
    out: dict[Partition, int] = {}
    for r in records:
        key = (r.topic, r.partition)
        if r.offset >= out.get(key, 0):
            out[key] = r.offset + 1
    return out
