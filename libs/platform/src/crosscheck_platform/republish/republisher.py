"""Publish a schema's stored events to their topics again, as the relay first did.

For a Kafka cluster that lost its topics (or a consumer that lost what it read): every
event of the event store goes out again in the order it was stored, with its original id,
key, headers and payload bytes, so a consumer that has already applied one skips it
(event-id tracking) or applies it to the same effect (version-guarded upserts).

The relay of the schema must not publish meanwhile: a new event it sent while an older
one of the same aggregate still waits here would reach the partition first. The relay's
leadership lock is taken for the whole run, and the run is refused while a relay holds it.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import asyncpg
from aiokafka import AIOKafkaProducer

from crosscheck_contracts import kafka as wire
from crosscheck_contracts.catalogue import EventCatalogue
from crosscheck_contracts.topics import Topics
from crosscheck_platform.db import dedicated_connection
from crosscheck_platform.eventstore.postgres import envelope_of

_PAGE = """
    SELECT position, stream_id, version, event_id, event_type, schema_version, data, source,
           occurred_at, township, county, correlation_id, causation_id
    FROM events WHERE position > $1 ORDER BY position LIMIT $2"""


class RelayRunning(RuntimeError):
    """The schema's relay is publishing: stop the service (every replica) first."""


@dataclass
class Republished:
    """What a run sent (or, dry, would send): events per topic, and the last position."""

    per_topic: Counter[str] = field(default_factory=Counter)
    last_position: int = 0

    @property
    def total(self) -> int:
        return sum(self.per_topic.values())


def message_of(
    row: asyncpg.Record, topics: Topics, catalogue: EventCatalogue
) -> tuple[str, bytes, list[tuple[str, bytes]], bytes]:
    """(topic, key, headers, value) of a stored event: the bytes the relay published."""
    envelope = envelope_of(row)
    topic = topics.of(catalogue.model(envelope.type).context)
    data: str = row["data"]  # json, not jsonb: the text exactly as it was written
    return topic, row["stream_id"].encode(), wire.encode_headers(envelope), data.encode()


async def republish(
    dsn: str,
    schema: str,
    producer: AIOKafkaProducer | None,
    topics: Topics,
    catalogue: EventCatalogue,
    *,
    after_position: int = 0,
    page_size: int = 1000,
    progress: Callable[[Republished], None] | None = None,
) -> Republished:
    """Publish every event of `schema` stored after `after_position`, in store order
    (which is each aggregate's version order), acknowledged by every in-sync replica.
    Without a producer, count what would go out (a dry run)."""
    done = Republished(last_position=after_position)
    async with dedicated_connection(dsn, schema) as conn:
        held = await conn.fetchval("SELECT pg_try_advisory_lock(hashtext($1))", schema + ".relay")
        if not held:
            raise RelayRunning(
                f"the outbox relay of schema {schema} is running: stop every replica of "
                "its service first, so no newer event overtakes an older one of the same "
                "aggregate"
            )
        while True:
            rows = await conn.fetch(_PAGE, done.last_position, page_size)
            if not rows:
                return done
            messages = [message_of(row, topics, catalogue) for row in rows]
            if producer is not None:
                sent = [
                    await producer.send(topic, value=value, key=key, headers=headers)
                    for topic, key, headers, value in messages
                ]
                await asyncio.gather(*sent)
            done.per_topic.update(topic for topic, *_ in messages)
            done.last_position = rows[-1]["position"]
            if progress is not None:
                progress(done)
