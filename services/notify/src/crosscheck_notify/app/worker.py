"""The deadline worker: claims notices coming due, prepares them, fires each on time,
records the results.

A worker claims pending notices due within its lookahead by writing its claim (a token
per pass) on them (`claimed_by`) and the claim's short lease (a row of
`notice_claims`) in one transaction: the candidates are locked first (`FOR UPDATE SKIP
LOCKED`), then claimed by a statement that sees every claim made on them before; the
lock and the lease after it keep every other worker off them. A heartbeat renews the
leases of every claim the worker still holds (a row per claim, not per notice), so a
lease only has to outlive a stalled or dead worker by seconds, not a whole send. It then
looks up the contacts, renders, encodes and signs each notice ahead, so at the
due instant only the I/O is left; just before the sends, one statement confirms the
claim is still the worker's and its lease not expired (renewing it), and only those
notices go. Results are recorded in batches by a recorder beside the sends (one
statement for the states, one unit of work per tenant for ReminderSent, RectificationOverdue
or NotificationFailed), and only where the claim is still this worker's. A worker that
dies stops renewing: its leases expire within `lease_s`, another worker claims the
notices then and sends them again with the same idempotency key (those it sent and
had not yet recorded), and the receiver drops the repeat.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from uuid import UUID, uuid4

import asyncpg

from crosscheck_contracts.events.notify import Channel, NoticeKind, RecipientRole
from crosscheck_notify.adapters.channels import DeliveryFailed, Outgoing, Sender, prepare
from crosscheck_notify.adapters.directory import Contact, ContactKey, Directory
from crosscheck_notify.adapters.places import notice_details
from crosscheck_notify.adapters.templates import render
from crosscheck_notify.app.outcomes import Claimed, Outcome
from crosscheck_notify.app.recording import record
from crosscheck_notify.domain.policy import NotifyPolicy
from crosscheck_platform.db import Database
from crosscheck_platform.eventstore import EventStore

log = logging.getLogger(__name__)

_FREE = """(claimed_by IS NULL OR NOT EXISTS (
        SELECT 1 FROM notice_claims AS l WHERE l.claim_id = claimed_by AND l.expires_at > $2))"""
"""A notice no live claim holds (its claim released, recorded, or its lease lapsed)."""

_LOCK_FREE = f"""
    SELECT notice_id FROM notices
    WHERE state = 'pending' AND next_attempt_at <= $1 AND {_FREE}
    ORDER BY next_attempt_at
    LIMIT $3
    FOR UPDATE SKIP LOCKED"""
"""Candidates, locked. Not yet the claim: a row another worker claimed after this
statement's snapshot is locked here too once that worker commits, and rechecked with its
new `claimed_by` but against the snapshot's `notice_claims`, where the new claim's lease
is missing, so it would pass as free."""

_CLAIM = f"""
    WITH c AS (UPDATE notices AS n SET claimed_by = $4
               WHERE n.notice_id = ANY($1::uuid[]) AND {_FREE}
               RETURNING n.notice_id, n.hazard_id, n.township, n.county, n.kind,
                         n.recipient_role, n.recipient_ref, n.template, n.params, n.deadline,
                         n.attempts, n.next_attempt_at),
         lease AS (INSERT INTO notice_claims (claim_id, expires_at)
                   SELECT $4, $3 WHERE EXISTS (SELECT 1 FROM c))
    SELECT * FROM c"""
"""The claim of the candidates locked, in a statement of its own: its snapshot is taken
with the rows held, so it sees every claim (and lease) made on them before."""

_RELEASE = """
    UPDATE notices SET claimed_by = NULL
    WHERE notice_id = ANY($1::uuid[]) AND claimed_by = $2 AND state = 'pending'"""

_CONFIRM = """
    WITH lease AS (UPDATE notice_claims SET expires_at = $3
                   WHERE claim_id = $2 AND expires_at > $4 RETURNING claim_id)
    SELECT n.notice_id FROM notices AS n JOIN lease ON n.claimed_by = lease.claim_id
    WHERE n.notice_id = ANY($1::uuid[]) AND n.state = 'pending'
    FOR UPDATE OF n"""

_RENEW = """
    UPDATE notice_claims SET expires_at = $2 WHERE claim_id = ANY($1::uuid[])"""

_FORGET = """
    DELETE FROM notice_claims WHERE claim_id = ANY($1::uuid[]) OR expires_at <= $2"""
"""Claims recorded or given up (what they still hold is free at once), and lapsed ones."""

_NEXT_DUE = f"""
    SELECT next_attempt_at FROM notices
    WHERE state = 'pending' AND {_FREE.replace("$2", "$1")}
    ORDER BY next_attempt_at LIMIT 1"""

MIN_WAIT_S = 0.02
"""Shortest idle wait: due rows this worker cannot claim are locked by another one."""

CLOCK_STEP_S = 0.25
"""Longest sleep while waiting for a due instant, so a clock that jumps (the tests'
manual one) is followed."""

RECORD_BATCH = 1000

HEARTBEATS_PER_LEASE = 4
"""Renewals per lease period: a worker whose loop stalls for up to three of them (a
burst of sends on a busy machine) still holds its claims."""

CONFIRM_MARGIN = 0.5
"""Sends go only under a lease with at least this share of its period left, renewed
then: another worker takes a notice over only once the lease has lapsed by its own
reading, so it would need the confirmation to stall this long to overlap with it."""

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


_Fired = tuple[UUID, list[Outcome]]
"""A pass's claim and what became of its notices, for the recorder."""


def _site_of(notice: Claimed) -> str | None:
    """The hazard's place: planned with the notice, or (older plans) the responsible
    person's recipient reference."""
    if notice.params.get("site_id"):
        return notice.params["site_id"]
    if notice.recipient is RecipientRole.RESPONSIBLE_PERSON:
        return notice.recipient_ref
    return None


class Worker:
    def __init__(
        self,
        *,
        db: Database,
        store: EventStore,
        directory: Directory,
        senders: Mapping[Channel, Sender],
        policy: NotifyPolicy,
        clock: Callable[[], datetime],
        batch_size: int = 200,
        concurrency: int = 64,
        lookahead_s: float = 0.0,
        lease_s: float = 10.0,
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
        self._claims: set[UUID] = set()
        """Claims (pass tokens) this worker holds until they are recorded or given back:
        the heartbeat renews their leases."""
        self._forget: set[UUID] = set()
        """Claims done with, whose leases the heartbeat deletes."""
        self.delivered = 0

    async def run_once(self) -> int:
        """One pass over what is due now, recorded before it returns; how many notices
        it claimed (tests, catch-up)."""
        claimed = await self._claim(timedelta(0))
        if claimed:
            claim = claimed[0].claim
            try:
                outcomes = await self._fire(await self._prepare(claimed), None)
                await self._record(outcomes)
            except BaseException:  # what went out unrecorded waits out the lease
                self._claims.discard(claim)
                raise
            self._done([claim])
            await self._forget_done(self.clock())
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
        results: asyncio.Queue[_Fired | None] = asyncio.Queue()
        recorder = asyncio.create_task(self._recorder(results))
        heartbeat_stop = asyncio.Event()
        heartbeat = asyncio.create_task(self._heartbeat(heartbeat_stop))
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
            heartbeat_stop.set()
            await heartbeat
            with contextlib.suppress(Exception):  # else they are deleted once lapsed
                await self._forget_done(self.clock())

    async def _forget_done(self, now: datetime) -> None:
        if self._forget:
            done = list(self._forget)
            await self.db.execute(_FORGET, done, now)
            self._forget.difference_update(done)

    async def _heartbeat(self, stop: asyncio.Event) -> None:
        """Renews the leases of the claims held, every lease / HEARTBEATS_PER_LEASE of the
        worker's clock (checked often, so a clock that jumps is followed)."""
        every = self.lease / HEARTBEATS_PER_LEASE
        last = self.clock()
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), CLOCK_STEP_S)
            now = self.clock()
            if now - last < every:
                continue
            try:
                if self._claims:
                    await self.db.execute(_RENEW, list(self._claims), now + self.lease)
                last = now
                await self._forget_done(now)
            except Exception:  # the confirmation before a send refuses an expired lease
                log.exception("notify worker could not renew its leases")

    async def _pass(
        self,
        claimed: list[Claimed],
        stop: asyncio.Event,
        results: asyncio.Queue[_Fired | None],
    ) -> None:
        self._held += len(claimed)
        claim = claimed[0].claim
        try:
            try:
                prepared = await self._prepare(claimed)
            except Exception:  # e.g. the contacts unreadable: nothing was sent
                log.exception("notify worker could not prepare; giving its claims back")
                self._done([claim])
                with contextlib.suppress(Exception):  # else the leases expire
                    await self._release(claimed)
                return
            try:
                results.put_nowait((claim, await self._fire(prepared, stop)))
            except Exception:  # some may have gone out: their leases expire instead
                log.exception("notify worker pass failed; its leases will expire")
                self._claims.discard(claim)  # not forgotten: what it sent waits the lease
        finally:
            self._held -= len(claimed)

    async def _recorder(self, results: asyncio.Queue[_Fired | None]) -> None:
        """Records the passes' outcomes, then stops renewing their claims: what is left
        under them (not recorded, or not confirmed for its send) expires and is taken
        over."""
        done = False
        while not done:
            first = await results.get()
            if first is None:
                break
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._lull.wait(), RECORD_DEFER_S)
            fired = [first]
            while not results.empty():  # whatever else was fired meanwhile goes too
                more = results.get_nowait()
                if more is None:
                    done = True
                    break
                fired.append(more)
            batch = [outcome for _, outcomes in fired for outcome in outcomes]
            for start in range(0, len(batch), RECORD_BATCH):
                try:
                    await self._record(batch[start : start + RECORD_BATCH])
                except Exception:
                    # Left leased: sent again once the lease expires, never lost.
                    log.exception("notify worker could not record; leases will expire")
            self._done(claim for claim, _ in fired)

    def _done(self, claims: Iterable[UUID]) -> None:
        """Stop renewing these claims, and delete their leases at the next heartbeat:
        whatever they still hold (not recorded, not confirmed) is free then."""
        for claim in claims:
            self._claims.discard(claim)
            self._forget.add(claim)

    async def _claim(self, lookahead: timedelta) -> list[Claimed]:
        now = self.clock()
        claim = uuid4()
        self._claims.add(claim)  # before the claim commits: the heartbeat must know it
        try:
            async with self.db.transaction() as conn:
                candidates = await conn.fetch(_LOCK_FREE, now + lookahead, now, self.batch_size)
                rows = (
                    await conn.fetch(
                        _CLAIM, [r["notice_id"] for r in candidates], now, now + self.lease, claim
                    )
                    if candidates
                    else []
                )
        except BaseException:
            self._claims.discard(claim)
            raise
        if not rows:
            self._claims.discard(claim)  # no lease was written
        return sorted((_claimed(row, claim) for row in rows), key=lambda c: c.due)

    async def _record(self, outcomes: Sequence[Outcome]) -> None:
        if not outcomes:
            return
        await record(self.db, self.store, outcomes, self.clock())
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
        details = await notice_details(self.db, ((c.hazard_id, _site_of(c)) for c in claimed))
        return [self._ready(c, contacts, details.get(c.hazard_id, {})) for c in claimed]

    def _ready(
        self,
        notice: Claimed,
        contacts: Mapping[ContactKey, Contact],
        details: Mapping[str, str],
    ) -> Outcome | _Ready:
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
            message=render(notice.template, contact.language, {**notice.params, **details}),
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
            for item in await self._confirm(ready):
                sends.append(asyncio.create_task(self._send(item)))
        outcomes.extend(await asyncio.gather(*sends))
        return outcomes

    async def _confirm(self, ready: Sequence[_Ready]) -> list[_Ready]:
        """Those of `ready` still pending under this worker's unexpired claim, their
        lease renewed for the send: a verification or a new deadline that came in after
        the claim cancelled the others, and a lease that lapsed (the heartbeat could not
        renew it) may have been taken over; neither is sent (one statement per instant,
        not per notice)."""
        if not ready:
            return []
        now = self.clock()
        by_claim: dict[UUID, list[UUID]] = {}
        for item in ready:
            by_claim.setdefault(item.notice.claim, []).append(item.notice.notice_id)
        confirmed: set[UUID] = set()
        for claim, ids in by_claim.items():
            rows = await self.db.fetch(
                _CONFIRM, ids, claim, now + self.lease, now + self.lease * CONFIRM_MARGIN
            )
            confirmed.update(row["notice_id"] for row in rows)
        return [item for item in ready if item.notice.notice_id in confirmed]

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
        by_claim: dict[UUID, list[UUID]] = {}
        for notice in notices:
            by_claim.setdefault(notice.claim, []).append(notice.notice_id)
        for claim, ids in by_claim.items():
            await self.db.execute(_RELEASE, ids, claim)

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


def _claimed(row: asyncpg.Record, claim: UUID) -> Claimed:
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
        claim=claim,
    )
