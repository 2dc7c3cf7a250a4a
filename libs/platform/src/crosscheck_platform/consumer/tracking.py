"""Which events a consumer has applied, kept beside its effects in the same database."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from crosscheck_platform.db import Connection

TRACKING_DDL = [
    """CREATE TABLE IF NOT EXISTS processed_events (
        consumer text NOT NULL,
        event_id uuid NOT NULL,
        processed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer, event_id)
    )""",
]


async def claim_new(conn: Connection, consumer: str, event_ids: Sequence[UUID]) -> set[UUID]:
    """Mark events as applied; return those that were not applied before.

    Must run in the transaction that applies them: if that rolls back, so do the marks.
    """
    if not event_ids:
        return set()
    rows = await conn.fetch(
        "INSERT INTO processed_events (consumer, event_id) "
        "SELECT $1, id FROM unnest($2::uuid[]) AS u(id) "
        "ON CONFLICT DO NOTHING RETURNING event_id",
        consumer,
        list(dict.fromkeys(event_ids)),
    )
    return {row["event_id"] for row in rows}
