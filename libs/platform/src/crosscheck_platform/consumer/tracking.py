"""What a consumer has applied, kept beside its effects in the same database.

Two ways, chosen per consumer:

- by event id (`processed_events`): one row per applied event. Catches every kind of
  duplicate, including a relay that republished an event at a later offset after a
  crash, so it suits any handler. It costs an index insert per event.
- by position (`consumer_positions`): one row per partition holding the next offset to
  apply. A redelivery after a crash or a rebalance is skipped for almost nothing, but a
  republished copy at a new offset is applied again, so it is only for handlers whose
  effect is the same when an event is applied twice (version-guarded upserts).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from enum import StrEnum
from uuid import UUID

from crosscheck_platform.db import Connection


class Deduplication(StrEnum):
    EVENT_ID = "event_id"
    POSITION = "position"


Partition = tuple[str, int]


async def claim_new(conn: Connection, consumer: str, event_ids: Sequence[UUID]) -> set[UUID]:
    """Mark events as applied; return those that were not applied before.

    Must run in the transaction that applies them: if that rolls back, so do the marks.
    """
    if not event_ids:
        return set()
    unique = list(dict.fromkeys(event_ids))
    # Only the ids applied before come back (usually none): returning every new id
    # cost the consumer more than the insert, a row object per event.
    applied_before = await conn.fetchval(
        "WITH new AS ("
        " INSERT INTO processed_events (consumer, event_id)"
        " SELECT $1, id FROM unnest($2::uuid[]) AS u(id)"
        " ON CONFLICT DO NOTHING RETURNING event_id) "
        "SELECT coalesce(array_agg(id), '{}') FROM unnest($2::uuid[]) AS u(id) "
        "WHERE id NOT IN (SELECT event_id FROM new)",
        consumer,
        unique,
    )
    return set(unique).difference(applied_before)


async def unclaim(conn: Connection, consumer: str, event_ids: Iterable[UUID]) -> None:
    """Take back claims of this transaction for events it did not apply after all."""
    await conn.execute(
        "DELETE FROM processed_events WHERE consumer = $1 AND event_id = ANY($2::uuid[])",
        consumer,
        list(event_ids),
    )


async def lock_positions(
    conn: Connection, consumer: str, partitions: Iterable[Partition]
) -> dict[Partition, int]:
    """The next offset to apply for each partition, with its row locked until the
    transaction ends.

    The lock is what makes positions safe across a rebalance: an instance that lost a
    partition but is still finishing a batch of it holds the row, and the new owner
    waits, then reads the advanced position and skips what was applied.
    """
    # A fixed locking order, so two instances sharing partitions cannot deadlock.
    ordered = sorted(set(partitions))
    if not ordered:
        return {}
    # The no-op update takes the row lock and returns the committed position.
    rows = await conn.fetch(
        "INSERT INTO consumer_positions (consumer, topic, partition, next_offset) "
        "SELECT $1, t, p, 0 FROM unnest($2::text[], $3::int[]) AS u(t, p) "
        "ON CONFLICT (consumer, topic, partition) "
        "DO UPDATE SET next_offset = consumer_positions.next_offset "
        "RETURNING topic, partition, next_offset",
        consumer,
        [t for t, _ in ordered],
        [p for _, p in ordered],
    )
    return {(row["topic"], row["partition"]): row["next_offset"] for row in rows}


async def advance_positions(
    conn: Connection, consumer: str, next_offsets: Mapping[Partition, int]
) -> None:
    """Record that everything before `next_offsets` is applied (rows locked before)."""
    if not next_offsets:
        return
    items = sorted(next_offsets.items())
    await conn.execute(
        "UPDATE consumer_positions AS c SET next_offset = u.o, updated_at = now() "
        "FROM unnest($2::text[], $3::int[], $4::bigint[]) AS u(t, p, o) "
        "WHERE c.consumer = $1 AND c.topic = u.t AND c.partition = u.p "
        "AND c.next_offset < u.o",
        consumer,
        [t for (t, _), _ in items],
        [p for (_, p), _ in items],
        [o for _, o in items],
    )
