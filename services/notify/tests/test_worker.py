"""The worker on the real database with real local receivers: delivery at the right
moment, once, never zero times."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import pytest

from crosscheck_contracts.events.notify import Channel, RecipientRole
from crosscheck_contracts.topics import Topics
from crosscheck_notify.adapters.channels import (
    EmailSender,
    Outgoing,
    SignedPoster,
    SmsSender,
    SmtpSettings,
    WebhookSender,
    WebhookSmsGateway,
    http_client,
)
from crosscheck_notify.adapters.directory import Contact, StaticDirectory, TableDirectory
from crosscheck_notify.app.outcomes import Claimed
from crosscheck_notify.app.worker import MIN_WAIT_S, Worker
from crosscheck_notify.domain.policy import NotifyPolicy
from crosscheck_platform.clock import CHINA_STANDARD_TIME, ManualClock
from crosscheck_platform.db import Database

from . import harness
from .domain_helpers import DEADLINE, T0, TOWNSHIP, History
from .receivers import SECRET, smtp_server, webhook_receiver

pytestmark = pytest.mark.infra

DAY = timedelta(days=1)
N_DEADLINES = 10_000
POLICY = NotifyPolicy(retry_base=timedelta(minutes=1), max_attempts=3)


async def test_reminders_overdue_and_escalation_reach_a_real_webhook_receiver(
    database: Database, topics: Topics
) -> None:
    store = await harness.setup(database, topics)
    histories = [History("hz-1").found().assigned()]
    await harness.schedule(database, histories, POLICY)
    clock = ManualClock(T0)
    async with webhook_receiver() as receiver, http_client() as client:
        directory = harness.webhook_directory(receiver.url, histories)
        worker = harness.worker(database, store, directory, client, clock, POLICY)
        assert await worker.drain() == 0
        clock.set(DEADLINE - 3 * DAY - timedelta(seconds=1))
        assert await worker.drain() == 0
        clock.advance(timedelta(seconds=1))
        assert await worker.drain() == 2
        assert {a.path for a in receiver.arrivals} == {"person/site-1", "village/v-1"}
        assert all(a.body["kind"] == "reminder" for a in receiver.arrivals)
        assert "还有 3 天到期" in receiver.arrivals[0].body["subject"]
        clock.set(DEADLINE)
        assert await worker.drain() == 5  # the 1-day reminders, overdue record, 2 notices
        clock.set(DEADLINE + POLICY.escalation_grace)
        assert await worker.drain() == 1
        assert receiver.on("township")[0].body["kind"] == "escalation"
        assert len(receiver.arrivals) == len(receiver.unique) == 7
        assert receiver.bad_signatures == 0
    assert await harness.event_types(database) == {"ReminderSent": 7, "RectificationOverdue": 1}
    assert await harness.states(database) == {"delivered": 8}


async def test_email_goes_to_a_real_smtp_server(database: Database, topics: Topics) -> None:
    store = await harness.setup(database, topics)
    histories = [History("hz-mail").found().assigned()]
    await harness.schedule(database, histories, POLICY)
    clock = ManualClock(DEADLINE - DAY)
    directory = TableDirectory(database)
    await directory.put(
        TOWNSHIP,
        RecipientRole.VILLAGE_COMMITTEE,
        "v-1",
        Contact(Channel.EMAIL, "cunwei@example.org"),
    )
    await directory.put(
        TOWNSHIP,
        RecipientRole.RESPONSIBLE_PERSON,
        "site-1",
        Contact(Channel.EMAIL, "owner@example.org", language="en"),
    )
    async with smtp_server() as (port, mailbox), http_client() as client:
        email = EmailSender(SmtpSettings(host="127.0.0.1", port=port, sender="notify@example.org"))
        worker = harness.worker(
            database, store, directory, client, clock, POLICY, senders={Channel.EMAIL: email}
        )
        assert await worker.drain() == 4
        for _ in range(100):  # the server thread hands messages over asynchronously
            if len(mailbox) == 4:
                break
            await asyncio.sleep(0.02)
    by_to = {(m["To"], m["Subject"]) for m in mailbox}
    assert len(by_to) == 4
    zh = [m for m in mailbox if m["To"] == "cunwei@example.org"]
    assert all("整改提醒" in str(m["Subject"]) for m in zh)
    en = [m for m in mailbox if m["To"] == "owner@example.org"]
    assert all(str(m["Subject"]).startswith("[Reminder]") for m in en)
    assert all(m["Message-ID"] == f"<{m['Idempotency-Key']}@crosscheck.notify>" for m in mailbox)
    for m in mailbox:
        sent = parsedate_to_datetime(m["Date"])
        assert sent.utcoffset() == timedelta(hours=8)
        assert abs(sent - datetime.now(UTC)) < timedelta(minutes=5)
    assert await harness.event_types(database) == {"ReminderSent": 4}


async def test_sms_waits_out_quiet_hours(database: Database, topics: Topics) -> None:
    store = await harness.setup(database, topics)
    night_deadline = DEADLINE.astimezone(CHINA_STANDARD_TIME).replace(hour=23, minute=30)
    histories = [History("hz-sms").found().assigned(deadline=night_deadline)]
    policy = NotifyPolicy(
        reminder_offsets=(), overdue_recipients=(RecipientRole.RESPONSIBLE_PERSON,)
    )
    await harness.schedule(database, histories, policy)
    directory = StaticDirectory(
        {(RecipientRole.RESPONSIBLE_PERSON, "site-1"): Contact(Channel.SMS, "13800000000")}
    )
    clock = ManualClock(night_deadline)
    async with webhook_receiver() as receiver, http_client() as client:
        gateway = WebhookSmsGateway(SignedPoster(client, SECRET, clock), f"{receiver.url}/sms")
        worker = harness.worker(
            database,
            store,
            directory,
            client,
            clock,
            policy,
            senders={Channel.SMS: SmsSender(gateway)},
        )
        assert await worker.drain() == 2  # the overdue record, and the SMS deferred
        assert receiver.arrivals == []
        clock.set(night_deadline.replace(hour=7, minute=59) + DAY)
        assert await worker.drain() == 0
        clock.advance(timedelta(minutes=1))
        assert await worker.drain() == 1
        [sms] = receiver.arrivals
        assert sms.body["to"] == "13800000000" and "逾期未整改" in sms.body["text"]


async def test_failures_retry_with_backoff_then_publish_notification_failed(
    database: Database, topics: Topics
) -> None:
    store = await harness.setup(database, topics)
    histories = [History("hz-fail").found().assigned()]
    policy = NotifyPolicy(reminder_offsets=(DAY,), max_attempts=3)
    await harness.schedule(database, histories, policy)
    clock = ManualClock(DEADLINE - DAY)
    async with webhook_receiver() as receiver, http_client() as client:
        receiver.failing_paths.add("village/v-1")
        directory = harness.webhook_directory(receiver.url, histories)
        worker = harness.worker(database, store, directory, client, clock, policy)
        assert await worker.drain() == 2
        clock.advance(policy.retry_delay(1) - timedelta(seconds=1))
        assert await worker.drain() == 0  # not before its back-off
        clock.advance(timedelta(seconds=1))
        assert await worker.drain() == 1
        clock.advance(policy.retry_delay(2))
        assert await worker.drain() == 1
        clock.advance(timedelta(hours=1))
        assert await worker.drain() == 0  # given up, not dropped: see the event
    assert await harness.event_types(database) == {"ReminderSent": 1, "NotificationFailed": 1}
    rows = await database.fetch(
        "SELECT state, attempts, last_error FROM notices WHERE state = 'failed'"
    )
    assert [(r["state"], r["attempts"], r["last_error"]) for r in rows] == [
        ("failed", 3, "HTTP 503")
    ]


async def test_a_recipient_without_contact_ends_in_notification_failed(
    database: Database, topics: Topics
) -> None:
    store = await harness.setup(database, topics)
    histories = [History("hz-nobody").found().assigned()]
    policy = NotifyPolicy(reminder_offsets=(DAY,), max_attempts=1)
    await harness.schedule(database, histories, policy)
    clock = ManualClock(DEADLINE - DAY)
    async with http_client() as client:
        worker = harness.worker(database, store, StaticDirectory({}), client, clock, policy)
        assert await worker.drain() == 2
    assert await harness.event_types(database) == {"NotificationFailed": 2}


@pytest.mark.parametrize(
    ("n_workers", "batch_size"),
    [
        (2, 40),
        # Many small claims racing: a claim once took notices another had just claimed
        # (its recheck read the other claim's lease from a stale snapshot), so the
        # claims added up to more than the notices.
        (8, 3),
    ],
)
async def test_workers_never_claim_or_deliver_a_notice_twice(
    database: Database, topics: Topics, n_workers: int, batch_size: int
) -> None:
    store = await harness.setup(database, topics)
    histories = [History(f"hz-{n}").found().assigned() for n in range(100)]
    await harness.schedule(database, histories, POLICY)
    clock = ManualClock(DEADLINE + POLICY.escalation_grace)
    async with webhook_receiver() as receiver, http_client() as client:
        directory = harness.webhook_directory(receiver.url, histories)
        workers = [
            harness.worker(database, store, directory, client, clock, POLICY, batch_size=batch_size)
            for _ in range(n_workers)
        ]
        claimed = await asyncio.gather(*(w.drain() for w in workers))
    assert sum(claimed) == 100 * 8
    assert sum(1 for n in claimed if n > 0) >= 2, "the workers shared the work"
    assert len(receiver.arrivals) == len(receiver.unique) == 100 * 7
    assert await harness.event_types(database) == {
        "ReminderSent": 100 * 7,
        "RectificationOverdue": 100,
    }
    # Workers recording notices of one hazard at once append to its log in turn.
    assert await harness.gapless_logs(database) == 100


async def eventually(check: Callable[[], Awaitable[bool]]) -> None:
    """Wait for the worker's own tasks (not for time: the clock is a manual one)."""
    async with asyncio.timeout(10):
        while not await check():
            await asyncio.sleep(0.02)


async def test_notices_coming_due_are_claimed_ahead_and_fire_at_their_instant(
    database: Database, topics: Topics
) -> None:
    store = await harness.setup(database, topics)
    histories = [History("hz-ahead").found().assigned()]
    await harness.schedule(database, histories, POLICY)
    clock = ManualClock(DEADLINE - 3 * DAY - timedelta(seconds=5))

    async with webhook_receiver() as receiver, http_client() as client:
        directory = harness.webhook_directory(receiver.url, histories)
        worker = harness.worker(database, store, directory, client, clock, POLICY, lookahead_s=10)
        other = harness.worker(database, store, directory, client, clock, POLICY)
        stop = asyncio.Event()
        running = asyncio.create_task(worker.run(stop, 0.05))
        await eventually(
            lambda: _equals(harness.leased(database), 2)
        )  # the 3-day reminders, 5 s ahead
        await asyncio.sleep(0.3)
        assert receiver.arrivals == []  # prepared, not sent before their instant
        clock.advance(timedelta(seconds=5))
        assert await other.drain() == 0  # due now, but leased to the first worker
        await eventually(lambda: _equals(harness.states(database), {"delivered": 2, "pending": 6}))
        assert len(receiver.arrivals) == len(receiver.unique) == 2
        assert await harness.leased(database) == 0

        clock.set(DEADLINE - DAY - timedelta(seconds=5))
        await eventually(lambda: _equals(harness.leased(database), 2))  # the 1-day reminders
        stop.set()
        await running
        assert await harness.leased(database) == 0  # stopping gives back what was not yet due
        assert len(receiver.arrivals) == 2
    assert await harness.event_types(database) == {"ReminderSent": 2}
    assert await harness.states(database) == {"delivered": 2, "pending": 6}


async def test_a_verification_after_the_claim_stops_the_prepared_notices(
    database: Database, topics: Topics
) -> None:
    store = await harness.setup(database, topics)
    history = History("hz-late").found().assigned()
    await harness.schedule(database, [history], POLICY)
    clock = ManualClock(DEADLINE - 3 * DAY - timedelta(seconds=5))

    async with webhook_receiver() as receiver, http_client() as client:
        directory = harness.webhook_directory(receiver.url, [history])
        worker = harness.worker(database, store, directory, client, clock, POLICY, lookahead_s=10)
        stop = asyncio.Event()
        running = asyncio.create_task(worker.run(stop, 0.05))
        await eventually(
            lambda: _equals(harness.leased(database), 2)
        )  # the 3-day reminders, prepared
        # Verified 5 s before their instant: the consumer cancels what is pending (the
        # statement its re-planning runs when nothing is planned any more).
        await database.execute(
            "UPDATE notices SET state = 'cancelled', settled_at = now() "
            "WHERE hazard_id = $1 AND state = 'pending'",
            "hz-late",
        )
        clock.advance(timedelta(seconds=5))
        await asyncio.sleep(0.5)  # past the instant: a send would have gone by now
        stop.set()
        await running
        assert receiver.arrivals == []
    assert await harness.event_types(database) == {}
    assert await harness.states(database) == {"cancelled": 8}


async def _equals(value: Awaitable[object], expected: object) -> bool:
    return await value == expected


class Killed(BaseException):
    """The process died: nothing in the worker handles this."""


class DiesAfterSending:
    channel = Channel.WEBHOOK

    def __init__(self, inner: WebhookSender) -> None:
        self.inner = inner

    async def send(self, outgoing: Outgoing) -> None:
        await self.inner.send(outgoing)
        raise Killed


async def test_a_worker_killed_between_send_and_record_loses_nothing(
    database: Database, topics: Topics
) -> None:
    store = await harness.setup(database, topics)
    histories = [History("hz-kill").found().assigned()]
    policy = NotifyPolicy(
        reminder_offsets=(DAY,), reminder_recipients=(RecipientRole.VILLAGE_COMMITTEE,)
    )
    await harness.schedule(database, histories, policy)
    clock = ManualClock(DEADLINE - DAY)
    async with webhook_receiver() as receiver, http_client() as client:
        directory = harness.webhook_directory(receiver.url, histories)
        poster = SignedPoster(client, SECRET, clock)
        doomed = harness.worker(
            database,
            store,
            directory,
            client,
            clock,
            policy,
            senders={Channel.WEBHOOK: DiesAfterSending(WebhookSender(poster))},
        )
        with pytest.raises(Killed):
            await doomed.run_once()
        assert len(receiver.arrivals) == 1  # sent, never recorded
        assert await harness.states(database) == {"pending": 5}
        survivor = harness.worker(database, store, directory, client, clock, policy)
        assert await survivor.drain() == 0  # the dead worker's lease still holds it
        clock.advance(timedelta(seconds=11))  # past the lease (default 10 s)
        assert await survivor.drain() == 1
        assert len(receiver.arrivals) == 2
        assert len(receiver.unique) == 1  # the same key twice: the receiver keeps one
        assert receiver.arrivals[0].key == receiver.arrivals[1].key
    assert await harness.event_types(database) == {"ReminderSent": 1}


class StalledHeartbeat(Worker):
    """A worker whose loop stalls after its first claim (no renewals, no further claims:
    one that could still claim might legitimately take its own lapsed notices back) but
    whose pass still reaches its due instant."""

    stalled = False

    async def _heartbeat(self, stop: asyncio.Event) -> None:
        await stop.wait()

    async def _claim(self, lookahead: timedelta) -> list[Claimed]:
        if self.stalled:
            return []
        claimed = await super()._claim(lookahead)
        self.stalled = bool(claimed)
        return claimed


@pytest.mark.parametrize("first_kind", [Worker, StalledHeartbeat], ids=["renewing", "stalled"])
async def test_a_lease_outlives_its_period_only_while_its_worker_renews_it(
    database: Database, topics: Topics, first_kind: type[Worker]
) -> None:
    """Two running workers, leases of 2 s, the notices claimed 8 s ahead by the first:
    renewed, they stay with it; not renewed, the second takes them over once the lease
    lapses, and the first, reaching the instant, finds its claim gone and sends nothing.
    Either way each notice arrives once."""
    store = await harness.setup(database, topics)
    histories = [History("hz-lease").found().assigned()]
    await harness.schedule(database, histories, POLICY)
    clock = ManualClock(DEADLINE - 3 * DAY - timedelta(seconds=8))
    async with webhook_receiver() as receiver, http_client() as client:
        directory = harness.webhook_directory(receiver.url, histories)
        first, second = (
            harness.worker(
                database, store, directory, client, clock, POLICY,
                lookahead_s=10, lease_s=2, kind=kind,
            )
            for kind in (first_kind, Worker)
        )  # fmt: skip
        stop = asyncio.Event()
        running = [asyncio.create_task(first.run(stop, 0.05))]
        await eventually(lambda: _equals(harness.leased(database), 2))
        running.append(asyncio.create_task(second.run(stop, 0.05)))
        for _ in range(16):  # 8 s of the clock in half seconds, each long enough in real
            clock.advance(timedelta(seconds=0.5))  # time for a heartbeat to notice it
            await asyncio.sleep(0.35)
        await eventually(lambda: _equals(harness.states(database), {"delivered": 2, "pending": 6}))
        stop.set()
        await asyncio.gather(*running)
        assert len(receiver.arrivals) == len(receiver.unique) == 2
    expected = (2, 0) if first_kind is Worker else (0, 2)
    assert (first.delivered, second.delivered) == expected
    assert await harness.event_types(database) == {"ReminderSent": 2}


async def test_ten_thousand_deadlines_in_the_same_minute_all_fire(
    database: Database, topics: Topics
) -> None:
    """Each deadline fires as its RectificationOverdue; HTTP delivery at this volume is
    measured by the benchmark rather than here (it is the slow part, not the schedule)."""
    store = await harness.setup(database, topics)
    histories = [
        History(f"hz-{n}").found().assigned(deadline=DEADLINE + timedelta(seconds=n % 60))
        for n in range(N_DEADLINES)
    ]
    policy = NotifyPolicy(reminder_offsets=(), overdue_recipients=())
    await harness.schedule(database, histories, policy)
    clock = ManualClock(DEADLINE + timedelta(seconds=59))
    async with http_client() as client:
        worker = harness.worker(
            database, store, StaticDirectory({}), client, clock, policy, batch_size=1000
        )
        assert await worker.drain() == N_DEADLINES
    assert await harness.event_types(database) == {"RectificationOverdue": N_DEADLINES}
    stored = await database.fetchval(
        "SELECT count(DISTINCT stream_id) FROM events WHERE event_type LIKE '%Overdue'"
    )
    assert stored == N_DEADLINES
    assert await harness.states(database) == {"delivered": N_DEADLINES, "pending": N_DEADLINES}


async def test_an_idle_worker_waits_until_the_next_notice_falls_due(
    database: Database, topics: Topics
) -> None:
    store = await harness.setup(database, topics)
    clock = ManualClock(DEADLINE - 3 * DAY - timedelta(milliseconds=300))
    async with http_client() as client:
        worker = harness.worker(database, store, StaticDirectory({}), client, clock, POLICY)
        assert await worker._idle_wait(1.0) == 1.0  # nothing stored: the poll interval
        await harness.schedule(database, [History("hz-next").found().assigned()], POLICY)
        assert await worker._idle_wait(1.0) == pytest.approx(0.3)
        clock.advance(timedelta(hours=1))
        assert await worker._idle_wait(1.0) == MIN_WAIT_S  # due and claimable: hardly wait
        clock.set(T0)
        assert await worker._idle_wait(1.0) == 1.0  # days away: the poll interval
