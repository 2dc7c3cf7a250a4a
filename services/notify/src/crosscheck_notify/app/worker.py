"""The deadline worker: claims due notices, delivers them, records the result.

One pass is one transaction. Due notices are claimed with `FOR UPDATE SKIP LOCKED`, so
workers (in one process or many) never hold the same notice; the row lock is kept
while the notice is sent, and the delivered mark commits together with ReminderSent
(or RectificationOverdue, or NotificationFailed) in the outbox. A worker that dies
after sending and before committing leaves the notice pending: the next pass sends it
again with the same idempotency key and the receiver drops the repeat.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable, Mapping
from datetime import datetime

import asyncpg

from crosscheck_contracts.events.notify import Channel, NoticeKind, RecipientRole
from crosscheck_notify.adapters.channels import DeliveryFailed, Outgoing, Sender
from crosscheck_notify.adapters.directory import Contact, ContactKey, Directory
from crosscheck_notify.app.outcomes import Claimed, Outcome
from crosscheck_notify.app.recording import record
from crosscheck_notify.domain.policy import NotifyPolicy
from crosscheck_notify.domain.templates import render
from crosscheck_platform.db import Database
from crosscheck_platform.eventstore.postgres import PostgresEventStore

log = logging.getLogger(__name__)

_CLAIM = """
    SELECT notice_id, hazard_id, township, county, kind, recipient_role, recipient_ref,
           template, params, deadline, attempts
    FROM notices
    WHERE state = 'pending' AND next_attempt_at <= $1
    ORDER BY next_attempt_at
    LIMIT $2
    FOR UPDATE SKIP LOCKED"""

_NEXT_DUE = "SELECT min(next_attempt_at) FROM notices WHERE state = 'pending'"

MIN_WAIT_S = 0.02
"""Shortest idle wait: due rows this worker cannot claim are locked by another one."""

NO_CONTACT_CHANNEL: Mapping[RecipientRole, Channel] = {
    RecipientRole.RESPONSIBLE_PERSON: Channel.SMS,
    RecipientRole.VILLAGE_COMMITTEE: Channel.WEBHOOK,
    RecipientRole.TOWNSHIP_LEADERSHIP: Channel.SMS,
    RecipientRole.INSPECTING_GROUP: Channel.SMS,
}
"""The channel named in NotificationFailed when a recipient has no contact at all."""


class Worker:
    def __init__(
        self,
        *,
        db: Database,
        store: PostgresEventStore,
        directory: Directory,
        senders: Mapping[Channel, Sender],
        policy: NotifyPolicy,
        clock: Callable[[], datetime],
        batch_size: int = 200,
        concurrency: int = 64,
    ) -> None:
        self.db = db
        self.store = store
        self.directory = directory
        self.senders = dict(senders)
        self.policy = policy
        self.clock = clock
        self.batch_size = batch_size
        self._slots = asyncio.Semaphore(concurrency)
        self.delivered = 0

    async def run_once(self) -> int:
        """One pass over what is due now; returns how many notices it claimed."""
        now = self.clock()
        async with self.db.transaction() as conn:
            rows = await conn.fetch(_CLAIM, now, self.batch_size)
            if not rows:
                return 0
            claimed = [_claimed(row) for row in rows]
            keys = {
                (c.township, c.recipient, c.recipient_ref)
                for c in claimed
                if c.recipient is not None and c.recipient_ref is not None
            }
            contacts = await self.directory.lookup(keys)
            outcomes = await asyncio.gather(*(self._settle(c, contacts, now) for c in claimed))
            await record(conn, self.store, outcomes, now)
        self.delivered += sum(1 for o in outcomes if o.state == "delivered")
        return len(rows)

    async def drain(self) -> int:
        """Passes until nothing is due at the clock's current time (tests, catch-up)."""
        total = 0
        while claimed := await self.run_once():
            total += claimed
        return total

    async def run(self, stop: asyncio.Event, poll_interval_s: float) -> None:
        while not stop.is_set():
            try:
                claimed = await self.run_once()
            except Exception:
                log.exception("notify worker pass failed; trying again")
                claimed = 0
            if claimed < self.batch_size:
                wait = await self._idle_wait(poll_interval_s)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), wait)

    async def _idle_wait(self, poll_interval_s: float) -> float:
        """Until the next stored notice falls due, so it fires on time rather than up to
        a poll interval late; at most the poll interval, to see notices the consumer
        adds meanwhile (and whatever the clock does)."""
        try:
            next_due: datetime | None = await self.db.fetchval(_NEXT_DUE)
        except Exception:
            log.exception("notify worker could not read the next due time")
            return poll_interval_s
        if next_due is None:
            return poll_interval_s
        until = (next_due - self.clock()).total_seconds()
        return min(poll_interval_s, max(MIN_WAIT_S, until))

    async def _settle(
        self, notice: Claimed, contacts: Mapping[ContactKey, Contact], now: datetime
    ) -> Outcome:
        if notice.recipient is None:  # the overdue record itself: nobody to tell
            return Outcome(notice, "delivered", notice.attempts + 1)
        contact = (
            contacts.get((notice.township, notice.recipient, notice.recipient_ref))
            if notice.recipient_ref is not None
            else None
        )
        if contact is None:
            reason = f"no contact on record for {notice.recipient.value} {notice.recipient_ref}"
            return self._failure(notice, NO_CONTACT_CHANNEL[notice.recipient], reason, now)
        if contact.channel is Channel.SMS:
            morning = self.policy.quiet_hours.release(now)
            if morning > now:
                return Outcome(notice, "pending", notice.attempts, next_at=morning)
        sender = self.senders.get(contact.channel)
        if sender is None:
            reason = f"channel {contact.channel.value} is not configured"
            return self._failure(notice, contact.channel, reason, now)
        message = render(notice.template, contact.language, notice.params)
        outgoing = Outgoing(
            key=str(notice.notice_id),
            hazard_id=notice.hazard_id,
            kind=notice.kind,
            recipient_role=notice.recipient,
            address=contact.address,
            message=message,
        )
        try:
            async with self._slots:
                await sender.send(outgoing)
        except DeliveryFailed as exc:
            return self._failure(notice, contact.channel, exc.reason, now, exc.permanent)
        except Exception as exc:  # a bug in a channel must not lose the notice either
            log.exception("channel %s raised", contact.channel.value)
            return self._failure(notice, contact.channel, f"{type(exc).__name__}: {exc}", now)
        return Outcome(notice, "delivered", notice.attempts + 1, channel=contact.channel)

    def _failure(
        self,
        notice: Claimed,
        channel: Channel,
        reason: str,
        now: datetime,
        permanent: bool = False,
    ) -> Outcome:
        attempts = notice.attempts + 1
        if permanent or attempts >= self.policy.max_attempts:
            return Outcome(notice, "failed", attempts, channel=channel, error=reason)
        retry_at = now + self.policy.retry_delay(attempts)
        return Outcome(notice, "pending", attempts, channel=channel, next_at=retry_at, error=reason)


def _claimed(row: asyncpg.Record) -> Claimed:
    role = row["recipient_role"]
    params = row["params"]
    return Claimed(
        notice_id=row["notice_id"],
        hazard_id=str(row["hazard_id"]),
        township=str(row["township"]),
        county=str(row["county"]),
        kind=NoticeKind(str(row["kind"])),
        recipient=RecipientRole(str(role)) if role is not None else None,
        recipient_ref=str(row["recipient_ref"]) if row["recipient_ref"] is not None else None,
        template=str(row["template"]),
        params=json.loads(params),
        deadline=row["deadline"],
        attempts=row["attempts"],
    )
