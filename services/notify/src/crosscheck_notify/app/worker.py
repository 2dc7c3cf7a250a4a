"""The deadline worker: claims notices coming due, prepares them, fires each on time,
records the results.

A worker claims pending notices due within its lookahead by setting their lease
(`claimed_until`) in a short transaction: `FOR UPDATE SKIP LOCKED` in the claim and the
lease after it keep every other worker off them. It then looks up the contacts,
renders, encodes and signs each notice ahead, so at the due instant only the I/O is
left. Results are recorded in batches by a recorder beside the sends (one statement
for the states, one event-store batch for ReminderSent, RectificationOverdue or
NotificationFailed), and only while the lease is still this worker's. A worker that
dies leaves its leases to expire: another worker claims the notices then and sends
them again with the same idempotency key, and the receiver drops the repeat.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from uuid import UUID

import asyncpg

from crosscheck_contracts.events.notify import Channel, NoticeKind, RecipientRole
from crosscheck_notify.adapters.channels import DeliveryFailed, Outgoing, Sender, prepare
from crosscheck_notify.adapters.directory import Contact, ContactKey, Directory
from crosscheck_notify.app.outcomes import Claimed, Outcome
from crosscheck_notify.app.recording import record
from crosscheck_notify.domain.policy import NotifyPolicy
from crosscheck_notify.domain.templates import render
from crosscheck_platform.db import Database
from crosscheck_platform.eventstore.postgres import PostgresEventStore

log = logging.getLogger(__name__)

_CLAIM = """
    UPDATE notices AS n SET claimed_until = $3
    FROM (SELECT notice_id FROM notices
          WHERE state = 'pending' AND next_attempt_at <= $1
            AND (claimed_until IS NULL OR claimed_until <= $2)
          ORDER BY next_attempt_at
          LIMIT $4
          FOR UPDATE SKIP LOCKED) AS c
    WHERE n.notice_id = c.notice_id
    RETURNING n.notice_id, n.hazard_id, n.township, n.county, n.kind, n.recipient_role,
              n.recipient_ref, n.template, n.params, n.deadline, n.attempts,
              n.next_attempt_at"""

_RELEASE = """
    UPDATE notices SET claimed_until = NULL
    WHERE notice_id = ANY($1::uuid[]) AND claimed_until = $2 AND state = 'pending'"""

_STILL_PENDING = """
    SELECT notice_id FROM notices
    WHERE notice_id = ANY($1::uuid[]) AND state = 'pending' AND claimed_until = $2"""

_NEXT_DUE = """
    SELECT next_attempt_at FROM notices
    WHERE state = 'pending' AND (claimed_until IS NULL OR claimed_until <= $1)
    ORDER BY next_attempt_at LIMIT 1"""

MIN_WAIT_S = 0.02
"""Shortest idle wait: due rows this worker cannot claim are locked by another one."""

CLOCK_STEP_S = 0.25
"""Longest sleep while waiting for a due instant, so a clock that jumps (the tests'
manual one) is followed."""

RECORD_BATCH = 1000

RECORD_DEFER_S = 5.0
"""Recording waits for a lull in the sends, this long at most: in a burst of notices
falling due at once the CPU goes to sending them (the lease covers the delay)."""

NO_CONTACT_CHANNEL: Mapping[RecipientRole, Channel] = {
    RecipientRole.RESPONSIBLE_PERSON: Channel.SMS,
    RecipientRole.VILLAGE_COMMITTEE: Channel.WEBHOOK,
    RecipientRole.TOWNSHIP_LEADERSHIP: Channel.SMS,
    RecipientRole.INSPECTING_GROUP: Channel.SMS,
}
"""The channel named in NotificationFailed when a recipient has no contact at all."""


@dataclass(frozen=True)
class _Ready:
    notice: Claimed
    channel: Channel
    fire: Callable[[], Awaitable[None]]


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
        lookahead_s: float = 0.0,
        lease_s: float = 120.0,
        held_limit: int = 20_000,
    ) -> None:
        self.db = db
        self.store = store
        self.directory = directory
        self.senders = dict(senders)
        self.policy = policy
        self.clock = clock
        self.batch_size = batch_size
        self.lookahead = timedelta(seconds=lookahead_s)
        self.lease = timedelta(seconds=lease_s)
        self.held_limit = held_limit
        self._slots = asyncio.Semaphore(concurrency)
        self._held = 0
        self._sending = 0
        self._lull = asyncio.Event()
        self._lull.set()
        self.delivered = 0

    async def run_once(self) -> int:
        """One pass over what is due now, recorded before it returns; how many notices
        it claimed (tests, catch-up)."""
        claimed = await self._claim(timedelta(0))
        if claimed:
            outcomes = await self._fire(await self._prepare(claimed), None)
            await self._record(outcomes)
        return len(claimed)

    async def drain(self) -> int:
        """Passes until nothing is due at the clock's current time (tests, catch-up)."""
        total = 0
        while claimed := await self.run_once():
            total += claimed
        return total

    async def run(self, stop: asyncio.Event, poll_interval_s: float) -> None:
        """Claim ahead and fire on time until `stop`; what is fired is recorded by a
        recorder beside the sends, so the next notices need not wait for the database."""
        results: asyncio.Queue[list[Outcome] | None] = asyncio.Queue()
        recorder = asyncio.create_task(self._recorder(results))
        passes: set[asyncio.Task[None]] = set()
        try:
            while not stop.is_set():
                try:
                    claimed = (
                        await self._claim(self.lookahead) if self._held < self.held_limit else []
                    )
                except Exception:
                    log.exception("notify worker could not claim; trying again")
                    claimed = []
                if claimed:
                    task = asyncio.create_task(self._pass(claimed, stop, results))
                    passes.add(task)
                    task.add_done_callback(passes.discard)
                    if len(claimed) == self.batch_size:
                        continue
                wait = await self._idle_wait(poll_interval_s)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), wait)
        finally:
            # Sends in flight finish and are recorded rather than sent twice.
            await asyncio.gather(*passes, return_exceptions=True)
            results.put_nowait(None)
            await recorder

    async def _pass(
        self,
        claimed: list[Claimed],
        stop: asyncio.Event,
        results: asyncio.Queue[list[Outcome] | None],
    ) -> None:
        self._held += len(claimed)
        try:
            try:
                prepared = await self._prepare(claimed)
            except Exception:  # e.g. the contacts unreadable: nothing was sent
                log.exception("notify worker could not prepare; giving its claims back")
                with contextlib.suppress(Exception):  # else the leases expire
                    await self._release(claimed)
                return
            try:
                results.put_nowait(await self._fire(prepared, stop))
            except Exception:  # some may have gone out: their leases expire instead
                log.exception("notify worker pass failed; its leases will expire")
        finally:
            self._held -= len(claimed)

    async def _recorder(self, results: asyncio.Queue[list[Outcome] | None]) -> None:
        done = False
        while not done:
            batch = await results.get()
            if batch is None:
                break
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._lull.wait(), RECORD_DEFER_S)
            while not results.empty():  # whatever else was fired meanwhile goes too
                more = results.get_nowait()
                if more is None:
                    done = True
                    break
                batch.extend(more)
            for start in range(0, len(batch), RECORD_BATCH):
                try:
                    await self._record(batch[start : start + RECORD_BATCH])
                except Exception:
                    # Left leased: sent again once the lease expires, never lost.
                    log.exception("notify worker could not record; leases will expire")

    async def _claim(self, lookahead: timedelta) -> list[Claimed]:
        now = self.clock()
        lease = now + lookahead + self.lease
        rows = await self.db.fetch(_CLAIM, now + lookahead, now, lease, self.batch_size)
        return sorted((_claimed(row, lease) for row in rows), key=lambda c: c.due)

    async def _record(self, outcomes: Sequence[Outcome]) -> None:
        if not outcomes:
            return
        async with self.db.transaction() as conn:
            await record(conn, self.store, outcomes, self.clock())
        self.delivered += sum(1 for o in outcomes if o.state == "delivered")

    async def _idle_wait(self, poll_interval_s: float) -> float:
        """Until the next unclaimed notice comes within the lookahead, so it is ready
        when it falls due rather than up to a poll interval late; at most the poll
        interval, to see notices the consumer adds meanwhile and expired leases."""
        now = self.clock()
        try:
            next_due: datetime | None = await self.db.fetchval(_NEXT_DUE, now)
        except Exception:
            log.exception("notify worker could not read the next due time")
            return poll_interval_s
        if next_due is None:
            return poll_interval_s
        until = (next_due - self.lookahead - now).total_seconds()
        return min(poll_interval_s, max(MIN_WAIT_S, until))

    async def _prepare(self, claimed: Sequence[Claimed]) -> list[Outcome | _Ready]:
        keys = {
            (c.township, c.recipient, c.recipient_ref)
            for c in claimed
            if c.recipient is not None and c.recipient_ref is not None
        }
        contacts = await self.directory.lookup(keys)
        return [self._ready(c, contacts) for c in claimed]

    def _ready(self, notice: Claimed, contacts: Mapping[ContactKey, Contact]) -> Outcome | _Ready:
        at = max(notice.due, self.clock())
        if notice.recipient is None:  # the overdue record itself: nobody to tell
            return Outcome(notice, "delivered", notice.attempts + 1)
        contact = (
            contacts.get((notice.township, notice.recipient, notice.recipient_ref))
            if notice.recipient_ref is not None
            else None
        )
        if contact is None:
            reason = f"no contact on record for {notice.recipient.value} {notice.recipient_ref}"
            return self._failure(notice, NO_CONTACT_CHANNEL[notice.recipient], reason, at)
        if contact.channel is Channel.SMS:
            morning = self.policy.quiet_hours.release(at)
            if morning > at:
                return Outcome(notice, "pending", notice.attempts, next_at=morning)
        sender = self.senders.get(contact.channel)
        if sender is None:
            reason = f"channel {contact.channel.value} is not configured"
            return self._failure(notice, contact.channel, reason, at)
        outgoing = Outgoing(
            key=str(notice.notice_id),
            hazard_id=notice.hazard_id,
            kind=notice.kind,
            recipient_role=notice.recipient,
            address=contact.address,
            message=render(notice.template, contact.language, notice.params),
        )
        try:
            fire = prepare(sender, outgoing, at)
        except DeliveryFailed as exc:
            return self._failure(notice, contact.channel, exc.reason, at, exc.permanent)
        return _Ready(notice, contact.channel, fire)

    async def _fire(
        self, prepared: Sequence[Outcome | _Ready], stop: asyncio.Event | None
    ) -> list[Outcome]:
        """Each notice at its due instant (they come sorted by it), sent or settled as
        prepared. Notices not yet due when `stop` is set are given back, unsent."""
        outcomes: list[Outcome] = []
        sends: list[asyncio.Task[Outcome]] = []
        n = 0
        while n < len(prepared):
            if not await self._until(prepared[n].notice.due, stop):
                await self._release([p.notice for p in prepared[n:]])
                break
            now = self.clock()
            due = [prepared[n]]
            n += 1
            while n < len(prepared) and prepared[n].notice.due <= now:
                due.append(prepared[n])
                n += 1
            for item in due:
                if isinstance(item, Outcome):  # e.g. the overdue record: at its instant too
                    outcomes.append(replace(item, at=now))
            ready = [item for item in due if isinstance(item, _Ready)]
            for item in await self._still_pending(ready):
                sends.append(asyncio.create_task(self._send(item)))
        outcomes.extend(await asyncio.gather(*sends))
        return outcomes

    async def _still_pending(self, ready: Sequence[_Ready]) -> list[_Ready]:
        """Those of `ready` still pending under this worker's lease: a verification or a
        new deadline that came in after the claim cancelled the others, which are not
        sent (one query per instant, not per notice)."""
        if not ready:
            return []
        rows = await self.db.fetch(
            _STILL_PENDING, [item.notice.notice_id for item in ready], ready[0].notice.lease
        )
        pending = {row["notice_id"] for row in rows}
        return [item for item in ready if item.notice.notice_id in pending]

    async def _until(self, due: datetime, stop: asyncio.Event | None) -> bool:
        while (remaining := (due - self.clock()).total_seconds()) > 0:
            if stop is None:
                await asyncio.sleep(min(remaining, CLOCK_STEP_S))
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), min(remaining, CLOCK_STEP_S))
            if stop.is_set():
                return False
        return True

    async def _release(self, notices: Sequence[Claimed]) -> None:
        """Give unsent claims back (an unsent notice, so nothing can be sent twice)."""
        by_lease: dict[datetime, list[UUID]] = {}
        for notice in notices:
            by_lease.setdefault(notice.lease, []).append(notice.notice_id)
        for lease, ids in by_lease.items():
            await self.db.execute(_RELEASE, ids, lease)

    async def _send(self, item: _Ready) -> Outcome:
        notice = item.notice
        self._sending += 1
        self._lull.clear()
        try:
            async with self._slots:
                await item.fire()
        except DeliveryFailed as exc:
            return self._failure(notice, item.channel, exc.reason, self.clock(), exc.permanent)
        except Exception as exc:  # a bug in a channel must not lose the notice either
            log.exception("channel %s raised", item.channel.value)
            reason = f"{type(exc).__name__}: {exc}"
            return self._failure(notice, item.channel, reason, self.clock())
        finally:
            self._sending -= 1
            if not self._sending:
                self._lull.set()
        sent = self.clock()
        return Outcome(notice, "delivered", notice.attempts + 1, channel=item.channel, at=sent)

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


def _claimed(row: asyncpg.Record, lease: datetime) -> Claimed:
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
        due=row["next_attempt_at"],
        lease=lease,
    )
