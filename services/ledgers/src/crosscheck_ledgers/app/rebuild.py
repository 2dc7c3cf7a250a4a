"""Rebuild: empty the projection and replay every topic from its start.

Runs in one transaction that first locks the projection tables against writers (the
live consumer waits; readers keep seeing the old ledgers until the commit), then reads
each partition from offset 0 up to its end offset taken *after* the lock: whatever the
live consumer applied before is in that range, whatever comes after it applies once the
lock is released. Field-group upserts are idempotent and commutative, so an event
applied by both is harmless.

Records are read by partition assignment from the beginning, with no consumer group
(no offsets to commit, no group join): the live consumer's group is left untouched.
Events are decoded, projected and merged in memory, each row once; the merged rows go
into the emptied tables with COPY at the end. Only a history with more rows than
`max_rows` is written in parts along the way, with the guarded upserts (a row may come
again in a later part).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from crosscheck_contracts import kafka as wire
from crosscheck_contracts.catalogue import EventCatalogue
from crosscheck_ledgers.adapters import sql
from crosscheck_ledgers.domain.merge import Patches
from crosscheck_ledgers.domain.projection import Meta, project
from crosscheck_platform.db import Database

MAX_ROWS = 2_000_000


@dataclass(frozen=True)
class RebuildStats:
    events: int
    skipped: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.events / self.seconds if self.seconds > 0 else 0.0


async def rebuild(
    db: Database,
    bootstrap: str,
    topics: Sequence[str],
    catalogue: EventCatalogue,
    *,
    max_rows: int = MAX_ROWS,
) -> RebuildStats:
    started = time.perf_counter()
    await db.migrate(sql.ddl())
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        group_id=None,
        enable_auto_commit=False,
        max_partition_fetch_bytes=8 << 20,
        fetch_max_bytes=64 << 20,
    )
    await consumer.start()
    events = skipped = 0
    try:
        partitions = await partitions_of(bootstrap, topics)
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        async with db.transaction() as conn:
            await sql.clear(conn)
            end = await consumer.end_offsets(partitions)
            remaining = {tp for tp in partitions if end[tp] > 0}
            patches = Patches()
            written_in_parts = False
            while remaining:
                batch = await consumer.getmany(*remaining, timeout_ms=500, max_records=10_000)
                for tp, records in batch.items():
                    for record in records:
                        if record.offset >= end[tp]:
                            break
                        try:
                            envelope, event = wire.decode(catalogue, record.headers, record.value)
                        except wire.InvalidMessage:
                            skipped += 1  # the live consumer dead-lettered it too
                            continue
                        meta = Meta(
                            envelope.township,
                            envelope.county,
                            envelope.aggregateversion,
                            envelope.time,
                        )
                        patches.add(project(event, meta))
                        events += 1
                for tp in list(remaining):
                    if await consumer.position(tp) >= end[tp]:
                        remaining.discard(tp)
                if len(patches) >= max_rows:
                    await sql.write(conn, patches)
                    patches, written_in_parts = Patches(), True
            if written_in_parts:
                await sql.write(conn, patches)
            else:
                await sql.copy_into_empty(conn, patches)
    finally:
        await consumer.stop()
    return RebuildStats(events, skipped, time.perf_counter() - started)


async def partitions_of(bootstrap: str, topics: Sequence[str]) -> list[TopicPartition]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        described = await admin.describe_topics(list(topics))
    finally:
        await admin.close()
    return sorted(
        TopicPartition(topic["topic"], partition["partition"])
        for topic in described
        if topic["error_code"] == 0
        for partition in topic["partitions"]
    )
