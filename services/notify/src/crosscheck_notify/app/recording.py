"""Recording a worker pass: notice states and the notify events, in the pass's transaction.

Events go to the hazard's stream in the notify schema (so all notices about one hazard
keep their order on Kafka), appended in one batch per tenant. Streams that exist are
locked first, in id order, so concurrent workers neither deadlock nor lose an update;
two workers creating the same new stream at once conflict, and the loser re-reads.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from crosscheck_contracts.base import Event
from crosscheck_contracts.envelope import Tenant
from crosscheck_contracts.events.notify import (
    Channel,
    NotificationFailed,
    RectificationOverdue,
    ReminderSent,
)
from crosscheck_notify.app.outcomes import Outcome
from crosscheck_platform.db import Connection
from crosscheck_platform.eventstore import (
    CommandContext,
    ConcurrencyConflict,
    EventStore,
    StreamAppend,
)

APPEND_TRIES = 5

_UPDATE = """
    UPDATE notices AS n SET
        state = u.state,
        attempts = u.attempts,
        next_attempt_at = COALESCE(u.next_at, n.next_attempt_at),
        channel = COALESCE(u.channel, n.channel),
        last_error = u.error,
        settled_at = CASE WHEN u.state = 'pending' THEN NULL ELSE COALESCE(u.at, $1) END,
        claimed_by = NULL
    FROM unnest($2::uuid[], $3::text[], $4::int[], $5::timestamptz[], $6::text[], $7::text[],
                $8::uuid[], $9::timestamptz[])
         AS u(id, state, attempts, next_at, channel, error, claim, at)
    WHERE n.notice_id = u.id AND n.state = 'pending' AND n.claimed_by = u.claim
    RETURNING n.notice_id"""

_LOCK_STREAMS = """
    SELECT stream_id, version FROM streams
    WHERE stream_id = ANY($1::text[]) ORDER BY stream_id FOR UPDATE"""


async def record(
    conn: Connection, store: EventStore, outcomes: Sequence[Outcome], now: datetime
) -> None:
    """Record what became of claimed notices; a notice whose claim another worker has
    taken over meanwhile (or that was cancelled) is left to that worker, without events."""
    updated = await conn.fetch(
        _UPDATE,
        now,
        [o.notice.notice_id for o in outcomes],
        [o.state for o in outcomes],
        [o.attempts for o in outcomes],
        [o.next_at for o in outcomes],
        [o.channel.value if o.channel else None for o in outcomes],
        [o.error for o in outcomes],
        [o.notice.claim for o in outcomes],
        [o.at for o in outcomes],
    )
    kept = {row["notice_id"] for row in updated}
    by_tenant: dict[Tenant, dict[str, list[Event]]] = defaultdict(lambda: defaultdict(list))
    for outcome in outcomes:
        if outcome.notice.notice_id not in kept:
            continue
        event = _event_for(outcome, outcome.at or now)
        if event is not None:
            notice = outcome.notice
            tenant = Tenant(county=notice.county, township=notice.township)
            by_tenant[tenant][notice.hazard_id].append(event)
    for tenant, streams in by_tenant.items():
        await _append(conn, store, tenant, streams)


def _event_for(outcome: Outcome, now: datetime) -> Event | None:
    notice = outcome.notice
    if outcome.state == "delivered" and notice.recipient is None:
        assert notice.deadline is not None, "an overdue record always has its deadline"
        return RectificationOverdue(
            hazard_id=notice.hazard_id,
            deadline=notice.deadline,
            overdue_at=max(now, notice.deadline),
        )
    if notice.recipient is None or outcome.channel is None:
        return None
    if outcome.state == "delivered":
        return ReminderSent(
            notice_id=str(notice.notice_id),
            hazard_id=notice.hazard_id,
            kind=notice.kind,
            channel=outcome.channel,
            recipient_role=notice.recipient,
            sent_at=now,
        )
    if outcome.state == "failed":
        return NotificationFailed(
            notice_id=str(notice.notice_id),
            hazard_id=notice.hazard_id,
            kind=notice.kind,
            channel=Channel(outcome.channel),
            recipient_role=notice.recipient,
            reason=(outcome.error or "delivery failed")[:2000],
            attempts=min(outcome.attempts, 1000),
        )
    return None


async def _append(
    conn: Connection,
    store: EventStore,
    tenant: Tenant,
    streams: dict[str, list[Event]],
) -> None:
    ids = sorted(streams)
    for attempt in range(1, APPEND_TRIES + 1):
        rows = await conn.fetch(_LOCK_STREAMS, ids)
        versions = {row["stream_id"]: row["version"] for row in rows}
        appends = [StreamAppend(i, versions.get(i, 0), streams[i]) for i in ids]
        try:
            await store.append_many(appends, CommandContext(tenant=tenant), connection=conn)
            return
        except ConcurrencyConflict:
            if attempt == APPEND_TRIES:
                raise
