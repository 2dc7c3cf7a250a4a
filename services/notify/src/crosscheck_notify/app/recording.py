"""Recording a worker pass: notice states and the notify events, in one transaction.

The states come first: only notices still under the pass's claim are recorded (another
worker may have taken a lapsed claim over). Their events then go through the platform's
unit of work, one per tenant, on the pass's transaction: each hazard's NoticeLog (its
stream in the notify schema) at the version read under the stream's lock, taken in id
order so concurrent workers neither deadlock nor lose an update. Two workers creating
the same new stream at once conflict; the loser's transaction is rolled back as a whole
and recorded again from the start, reading what the winner wrote.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from crosscheck_contracts.envelope import Tenant
from crosscheck_contracts.events.notify import (
    Channel,
    NotificationFailed,
    RectificationOverdue,
    ReminderSent,
)
from crosscheck_notify.app.outcomes import Outcome
from crosscheck_notify.domain.notice_log import NoticeEvent, NoticeLog
from crosscheck_platform.db import Connection, Database
from crosscheck_platform.eventstore import CommandContext, ConcurrencyConflict, EventStore
from crosscheck_platform.unit_of_work import Handler, UnitOfWork, execute

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
    db: Database, store: EventStore, outcomes: Sequence[Outcome], now: datetime
) -> None:
    """Record what became of claimed notices; a notice whose claim another worker has
    taken over meanwhile (or that was cancelled) is left to that worker, without events."""
    for attempt in range(1, APPEND_TRIES + 1):
        try:
            async with db.transaction() as conn:
                await _record(conn, store, outcomes, now)
            return
        except ConcurrencyConflict:
            if attempt == APPEND_TRIES:
                raise


async def _record(
    conn: Connection, store: EventStore, outcomes: Sequence[Outcome], now: datetime
) -> None:
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
    by_tenant: dict[Tenant, dict[str, list[NoticeEvent]]] = defaultdict(lambda: defaultdict(list))
    for outcome in outcomes:
        if outcome.notice.notice_id not in kept:
            continue
        event = _event_for(outcome, outcome.at or now)
        if event is not None:
            notice = outcome.notice
            tenant = Tenant(county=notice.county, township=notice.township)
            by_tenant[tenant][notice.hazard_id].append(event)
    for tenant, streams in by_tenant.items():
        await execute(store, CommandContext(tenant=tenant), _logged(streams), connection=conn)


def _logged(streams: dict[str, list[NoticeEvent]]) -> Handler[None]:
    """The handler appending `streams`' events to their hazards' notice logs."""

    async def handler(unit: UnitOfWork) -> None:
        ids = sorted(streams)
        rows = await unit.connection.fetch(_LOCK_STREAMS, ids)
        versions = {row["stream_id"]: row["version"] for row in rows}
        for hazard_id in ids:
            log = NoticeLog.at(hazard_id, versions.get(hazard_id, 0))
            for event in streams[hazard_id]:
                log.record(event)
            unit.add(log)

    return handler


def _event_for(outcome: Outcome, now: datetime) -> NoticeEvent | None:
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
