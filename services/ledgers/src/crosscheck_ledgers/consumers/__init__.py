"""Kafka consumers of the ledgers service: one projection over every context's topic.

A batch is projected and merged in memory, then written with one upsert per table.
The upserts are version-guarded and commutative, so applying an event twice changes
nothing: partition positions are enough to know what was applied, no row per event.
"""

from __future__ import annotations

from collections.abc import Sequence

from crosscheck_contracts.base import BoundedContext
from crosscheck_ledgers.adapters import sql
from crosscheck_ledgers.domain.merge import Patches
from crosscheck_ledgers.domain.projection import Meta, project
from crosscheck_platform.consumer import Deduplication, ReceivedEvent
from crosscheck_platform.db import Connection
from crosscheck_platform.http import RuntimePart
from crosscheck_platform.http.consumers import consumer_part

CONSUMER = "ledgers"


def meta_of(received: ReceivedEvent) -> Meta:
    envelope = received.envelope
    return Meta(
        township=envelope.township,
        county=envelope.county,
        version=envelope.aggregateversion,
        time=envelope.time,
    )


async def apply_events(conn: Connection, batch: Sequence[ReceivedEvent]) -> None:
    patches = Patches()
    for received in batch:
        patches.add(project(received.event, meta_of(received)))
    await sql.write(conn, patches)


def consumers() -> list[RuntimePart]:
    return [
        consumer_part(
            CONSUMER,
            list(BoundedContext),
            batch_handler=apply_events,
            deduplication=Deduplication.POSITION,
        )
    ]
