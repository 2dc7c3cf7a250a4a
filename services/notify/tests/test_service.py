"""The notify service as deployed: its lifespan consumes hazards events from Kafka
(published by a hazards event store's outbox relay on another schema), keeps the
schedule in its own schema, and its workers, driven by a controlled clock, deliver to
a real webhook receiver and publish what they did on the notify topic."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from crosscheck_contracts import kafka as wire
from crosscheck_contracts.base import BoundedContext, Event
from crosscheck_contracts.envelope import Tenant
from crosscheck_contracts.events.hazards import (
    DeadlineExtended,
    HazardFound,
    HazardNotified,
    RectificationAssigned,
    RectificationRejected,
    RectificationReported,
    RectificationVerified,
)
from crosscheck_contracts.events.notify import (
    Channel,
    NoticeKind,
    RecipientRole,
    RectificationOverdue,
    ReminderSent,
)
from crosscheck_contracts.samples import sample
from crosscheck_contracts.topics import Topics
from crosscheck_notify import bootstrap
from crosscheck_notify.adapters.directory import Contact, TableDirectory
from crosscheck_notify.settings import NotifySettings
from crosscheck_platform.clock import ManualClock
from crosscheck_platform.db import Database
from crosscheck_platform.eventstore import CommandContext
from crosscheck_platform.eventstore.postgres import PostgresEventStore
from crosscheck_platform.http import ServiceSpec, service_app
from crosscheck_platform.http.infrastructure import load_catalogue
from crosscheck_platform.kafka import reliable_producer
from crosscheck_platform.settings import ServiceSettings
from crosscheck_testing.infra import Infra
from crosscheck_testing.kafka_reading import read_until
from crosscheck_testing.schema import migrate_schema, migrated

from .receivers import SECRET, WebhookReceiver, webhook_receiver

pytestmark = pytest.mark.infra

TENANT = Tenant(county="532327", township="532327101")
DAY = timedelta(days=1)
WAIT_S = 60.0
"""Upper bound on waiting for the consumer or a worker; normally well under a second."""


async def eventually(check: Callable[[], Awaitable[bool]], what: str) -> None:
    """Wait for asynchronous processing (Kafka, the workers), not for time to pass."""
    try:
        async with asyncio.timeout(WAIT_S):
            while not await check():
                await asyncio.sleep(0.05)
    except TimeoutError:
        pytest.fail(f"never happened: {what}")


class HazardsFeed:
    """The hazards side: appends a hazard's events to its own event store (another
    schema, same topic namespace); its outbox relay publishes them to Kafka."""

    def __init__(self, store: PostgresEventStore) -> None:
        self.store = store
        self.versions: dict[str, int] = {}
        self.ids: dict[str, list[uuid.UUID]] = {}

    async def append(self, hazard_id: str, *events: Event) -> None:
        version = self.versions.get(hazard_id, 0)
        stored = await self.store.append(
            hazard_id, version, list(events), CommandContext(tenant=TENANT)
        )
        self.versions[hazard_id] = version + len(events)
        self.ids.setdefault(hazard_id, []).extend(s.envelope.id for s in stored)

    async def open(self, hazard_id: str, deadline: datetime) -> None:
        await self.append(
            hazard_id,
            sample(
                HazardFound,
                hazard_id=hazard_id,
                site_id=f"site-{hazard_id}",
                village_id="v-1",
                group_id="g-1",
            ),
            sample(
                RectificationAssigned,
                hazard_id=hazard_id,
                supervising_village_id="v-1",
                deadline=deadline,
            ),
        )


async def pending(db: Database, hazard_id: str) -> list[tuple[str, str, datetime]]:
    rows = await db.fetch(
        """SELECT kind, coalesce(recipient_role, 'record') AS role, due_at FROM notices
           WHERE hazard_id = $1 AND state = 'pending' ORDER BY due_at, kind, role""",
        hazard_id,
    )
    return [(r["kind"], r["role"], r["due_at"]) for r in rows]


async def snapshot(db: Database) -> list[tuple[Any, ...]]:
    rows = await db.fetch(
        "SELECT notice_id, state, due_at, next_attempt_at, attempts FROM notices ORDER BY 1"
    )
    return [tuple(r) for r in rows]


def deadline_plan(deadline: datetime) -> list[tuple[str, str, datetime]]:
    """What the default policy keeps pending for one running deadline."""
    return sorted(
        [
            ("reminder", "responsible_person", deadline - 3 * DAY),
            ("reminder", "village_committee", deadline - 3 * DAY),
            ("reminder", "responsible_person", deadline - DAY),
            ("reminder", "village_committee", deadline - DAY),
            ("overdue", "record", deadline),
            ("overdue", "responsible_person", deadline),
            ("overdue", "village_committee", deadline),
            ("escalation", "township_leadership", deadline + 3 * DAY),
        ],
        key=lambda n: (n[2], n[0], n[1]),
    )


def notify_settings() -> NotifySettings:
    return NotifySettings(
        workers=1,
        poll_interval_s=0.05,
        webhook_secret=SECRET,
        directory_file=None,
        reminder_days=[3.0, 1.0],
        escalation_grace_days=3.0,
    )


async def put_contacts(db: Database, receiver: WebhookReceiver, sites: Sequence[str]) -> None:
    directory = TableDirectory(db)
    for site in sites:
        await directory.put(
            TENANT.township,
            RecipientRole.RESPONSIBLE_PERSON,
            f"site-{site}",
            Contact(Channel.WEBHOOK, f"{receiver.url}/person/{site}"),
        )
    await directory.put(
        TENANT.township,
        RecipientRole.VILLAGE_COMMITTEE,
        "v-1",
        Contact(Channel.WEBHOOK, f"{receiver.url}/village"),
    )
    await directory.put(
        TENANT.township,
        RecipientRole.TOWNSHIP_LEADERSHIP,
        TENANT.township,
        Contact(Channel.WEBHOOK, f"{receiver.url}/township"),
    )


async def test_the_service_schedules_from_kafka_and_delivers_on_the_clock(
    infra: Infra, database: Database, topics: Topics, unique_name: str
) -> None:
    # Deadlines after the events' own time: reminders timed before the moment a
    # deadline was set are left out, and envelopes carry the real time of the append.
    base = datetime.now(UTC).replace(microsecond=0) + DAY
    clock = ManualClock(base)
    feed_schema = f"{unique_name}_hazards"

    def settings(schema: str) -> ServiceSettings:
        return ServiceSettings(
            kafka_bootstrap=infra.kafka_bootstrap,
            database_url=infra.database_url,
            topic_namespace=unique_name,
            db_schema=schema,
            oidc_issuer="http://issuer.invalid/realms/crosscheck",
        )

    await migrate_schema(infra, feed_schema, "hazards")
    await migrated(database, "notify")
    hazards_app = service_app(ServiceSpec(name="hazards"), settings(feed_schema))
    notify_app = bootstrap.build_app(settings(database.schema), notify_settings(), clock)
    try:
        async with (
            webhook_receiver() as receiver,
            hazards_app.router.lifespan_context(hazards_app),
            notify_app.router.lifespan_context(notify_app),
        ):
            feed = HazardsFeed(hazards_app.state.runtime.event_store)
            schedule = notify_app.state.runtime.consumers["schedule"]
            await put_contacts(database, receiver, ["a", "b", "c"])

            # Assigned: the schedule appears.
            for hazard in ("a", "b", "c"):
                await feed.open(hazard, base + 7 * DAY)

            async def all_planned() -> bool:
                return [len(await pending(database, h)) for h in ("a", "b", "c")] == [8, 8, 8]

            await eventually(all_planned, "the three schedules")
            assert await pending(database, "a") == deadline_plan(base + 7 * DAY)

            # Verified: everything pending for the hazard is cancelled.
            await feed.append("a", sample(RectificationVerified, hazard_id="a", verified_at=base))

            async def a_cancelled() -> bool:
                return await pending(database, "a") == []

            await eventually(a_cancelled, "verification cancels hazard a")
            cancelled = await database.fetchval(
                "SELECT count(*) FROM notices WHERE hazard_id = 'a' AND state = 'cancelled'"
            )
            assert cancelled == 8

            # Extended: the notices move to the new deadline.
            await feed.append(
                "b",
                sample(
                    DeadlineExtended,
                    hazard_id="b",
                    previous_deadline=base + 7 * DAY,
                    new_deadline=base + 10 * DAY,
                ),
            )

            async def b_moved() -> bool:
                return await pending(database, "b") == deadline_plan(base + 10 * DAY)

            await eventually(b_moved, "the extension moves hazard b")

            # Reported, then rejected with a new deadline: re-verification follow-up
            # first, then the deadline notices again at the new deadline.
            await feed.append("c", sample(RectificationReported, hazard_id="c", reported_at=base))

            async def c_awaits_recheck() -> bool:
                return [n[:2] for n in await pending(database, "c")] == [
                    ("reverification_reminder", "inspecting_group"),
                    ("escalation", "township_leadership"),
                ]

            await eventually(c_awaits_recheck, "the report awaits re-verification")
            await feed.append(
                "c",
                sample(
                    RectificationRejected,
                    hazard_id="c",
                    rejected_at=base + DAY,
                    new_deadline=base + 20 * DAY,
                ),
            )

            async def c_moved() -> bool:
                return await pending(database, "c") == deadline_plan(base + 20 * DAY)

            await eventually(c_moved, "the rejection sets a new deadline for hazard c")

            # A redelivered event (the same Kafka record published again) changes
            # nothing: hazard a's assignment does not revive its cancelled notices.
            hazards_topic = topics.of(BoundedContext.HAZARDS)
            assigned_id = feed.ids["a"][1]
            records = await read_until(
                infra.kafka_bootstrap,
                hazards_topic,
                lambda rs: any(_event_id(r) == assigned_id for r in rs),
            )
            [original] = [r for r in records if _event_id(r) == assigned_id]
            before = await snapshot(database)
            applied = schedule.applied
            producer = reliable_producer(infra.kafka_bootstrap)
            await producer.start()
            try:
                await producer.send_and_wait(
                    hazards_topic,
                    value=original.value,
                    key=original.key,
                    headers=list(original.headers),
                )
            finally:
                await producer.stop()
            # A later event of the same hazard (same partition, so read after the
            # duplicate) tells when the duplicate has been seen.
            marker = sample(HazardNotified, hazard_id="a")
            await feed.append("a", marker)
            marker_id = feed.ids["a"][-1]

            async def marker_seen() -> bool:
                return bool(
                    await database.fetchval(
                        "SELECT count(*) FROM processed_events WHERE event_id = $1", marker_id
                    )
                )

            await eventually(marker_seen, "the event after the duplicate")
            assert schedule.applied == applied + 1  # the marker only
            assert await snapshot(database) == before
            assert schedule.dead_lettered == 0

            # Time moves (the clock, not sleeps): at hazard b's new deadline its
            # reminders and overdue notices go out, and the overdue is recorded.
            assert receiver.arrivals == []
            clock.set(base + 10 * DAY)

            async def b_delivered() -> bool:
                delivered: int = await database.fetchval(
                    "SELECT count(*) FROM notices WHERE hazard_id = 'b' AND state = 'delivered'"
                )
                return delivered == 7

            await eventually(b_delivered, "hazard b's due notices delivered")
            arrived = {(a.path, a.body["kind"]) for a in receiver.unique.values()}
            assert arrived == {
                ("person/b", "reminder"),
                ("village", "reminder"),
                ("person/b", "overdue"),
                ("village", "overdue"),
            }
            assert len(receiver.unique) == 6  # two reminders and one overdue each
            assert {a.body["hazard_id"] for a in receiver.arrivals} == {"b"}
            assert receiver.bad_signatures == 0
            overdue = [a for a in receiver.unique.values() if a.body["kind"] == "overdue"]
            assert all("逾期未整改" in a.body["subject"] for a in overdue)
            assert await pending(database, "b") == [
                ("escalation", "township_leadership", base + 13 * DAY)
            ]

            # What the workers did is on the notify topic, readable with the contracts.
            catalogue = load_catalogue()

            def decoded(rs: list[Any]) -> list[tuple[Any, Event]]:
                return [wire.decode(catalogue, r.headers, r.value) for r in rs]

            published = decoded(
                await read_until(
                    infra.kafka_bootstrap,
                    topics.of(BoundedContext.NOTIFY),
                    lambda rs: len(rs) >= 7,
                )
            )
            overdue_events = [e for _, e in published if isinstance(e, RectificationOverdue)]
            assert overdue_events == [
                RectificationOverdue(
                    hazard_id="b", deadline=base + 10 * DAY, overdue_at=base + 10 * DAY
                )
            ]
            sent = [e for _, e in published if isinstance(e, ReminderSent)]
            assert len(sent) == 6
            assert {e.notice_id for e in sent} == {a.key for a in receiver.unique.values()}
            assert {(e.kind, e.channel) for e in sent} == {
                (NoticeKind.REMINDER, Channel.WEBHOOK),
                (NoticeKind.OVERDUE, Channel.WEBHOOK),
            }
            assert {env.aggregateid for env, _ in published} == {"b"}
            assert {env.township for env, _ in published} == {TENANT.township}
    finally:
        await database.execute(f"DROP SCHEMA IF EXISTS {feed_schema} CASCADE")


def _event_id(record: Any) -> uuid.UUID | None:
    for name, value in record.headers:
        if name == "ce_id":
            return uuid.UUID(value.decode())
    return None


async def test_metrics_show_the_notices_due_and_not_delivered(
    infra: Infra, database: Database, topics: Topics, unique_name: str
) -> None:
    # No workers: what falls due stays undelivered, and /metrics says how much and since
    # when, by the service's clock.
    base = datetime.now(UTC).replace(microsecond=0) + DAY
    clock = ManualClock(base)

    def settings(schema: str) -> ServiceSettings:
        return ServiceSettings(
            kafka_bootstrap=infra.kafka_bootstrap,
            database_url=infra.database_url,
            topic_namespace=unique_name,
            db_schema=schema,
        )

    await migrate_schema(infra, f"{unique_name}_hazards", "hazards")
    await migrated(database, "notify")
    hazards_app = service_app(ServiceSpec(name="hazards"), settings(f"{unique_name}_hazards"))
    idle = notify_settings().model_copy(update={"workers": 0})
    notify_app = bootstrap.build_app(settings(database.schema), idle, clock)

    async def backlog() -> tuple[float, float]:
        transport = httpx.ASGITransport(app=notify_app)
        async with httpx.AsyncClient(transport=transport, base_url="http://notify") as client:
            text = (await client.get("/metrics")).text
        samples = {
            s.name: s.value
            for family in text_string_to_metric_families(text)
            for s in family.samples
        }
        return samples["crosscheck_notify_due_unsent"], samples[
            "crosscheck_notify_oldest_due_seconds"
        ]

    try:
        async with (
            hazards_app.router.lifespan_context(hazards_app),
            notify_app.router.lifespan_context(notify_app),
        ):
            feed = HazardsFeed(hazards_app.state.runtime.event_store)
            await feed.open("a", base + 7 * DAY)

            async def planned() -> bool:
                return len(await pending(database, "a")) == 8

            await eventually(planned, "hazard a's schedule")
            assert await backlog() == (0, 0)

            # Past the deadline by an hour: both reminders (4) and the overdue notices (3)
            # are due; the escalation (deadline + 3 days) is not.
            clock.set(base + 7 * DAY + timedelta(hours=1))
            # The oldest, the first reminder, fell due three days before the deadline.
            assert await backlog() == (7, (3 * DAY + timedelta(hours=1)).total_seconds())
    finally:
        await database.execute(f"DROP SCHEMA IF EXISTS {unique_name}_hazards CASCADE")
