"""Driving the worker on the real database: a schedule written through the same code
the consumer uses, a controlled clock, and contacts pointing at local receivers."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from crosscheck_contracts.events.notify import Channel, RecipientRole
from crosscheck_contracts.topics import Topics
from crosscheck_notify.adapters.channels import Sender, SignedPoster, WebhookSender
from crosscheck_notify.adapters.directory import Contact, Directory, StaticDirectory
from crosscheck_notify.adapters.schedule_store import store_planned
from crosscheck_notify.app.worker import Worker
from crosscheck_notify.domain.history import fold
from crosscheck_notify.domain.policy import NotifyPolicy
from crosscheck_notify.domain.schedule import plan
from crosscheck_platform.clock import ManualClock
from crosscheck_platform.db import Database
from crosscheck_platform.eventstore.postgres import PostgresEventStore
from crosscheck_platform.http.infrastructure import load_catalogue
from crosscheck_platform.outbound import OutboundHttp
from crosscheck_testing.schema import migrated

from .domain_helpers import TOWNSHIP, History
from .receivers import SECRET

COUNTY = "532327"


async def setup(db: Database, topics: Topics) -> PostgresEventStore:
    store = PostgresEventStore(db, load_catalogue(), topics)
    await migrated(db, "notify")
    return store


async def schedule(db: Database, histories: list[History], policy: NotifyPolicy) -> None:
    async with db.transaction() as conn:
        for history in histories:
            facts = fold(history.hazard_id, TOWNSHIP, history.records)
            await store_planned(conn, history.hazard_id, TOWNSHIP, COUNTY, plan(facts, policy))


def webhook_directory(base_url: str, histories: list[History]) -> StaticDirectory:
    """Every place's responsible person and village committee on a webhook path."""
    contacts: dict[tuple[RecipientRole, str], Contact] = {}
    for history in histories:
        facts = fold(history.hazard_id, TOWNSHIP, history.records)
        if facts.site_id:
            contacts[(RecipientRole.RESPONSIBLE_PERSON, facts.site_id)] = Contact(
                Channel.WEBHOOK, f"{base_url}/person/{facts.site_id}"
            )
        village = facts.supervising_village_id or facts.village_id
        if village:
            contacts[(RecipientRole.VILLAGE_COMMITTEE, village)] = Contact(
                Channel.WEBHOOK, f"{base_url}/village/{village}"
            )
    contacts[(RecipientRole.TOWNSHIP_LEADERSHIP, TOWNSHIP)] = Contact(
        Channel.WEBHOOK, f"{base_url}/township"
    )
    return StaticDirectory(contacts)


def worker(
    db: Database,
    store: PostgresEventStore,
    directory: Directory,
    client: OutboundHttp,
    clock: ManualClock,
    policy: NotifyPolicy,
    *,
    senders: Mapping[Channel, Sender] | None = None,
    batch_size: int = 200,
    lookahead_s: float = 0.0,
    lease_s: float = 10.0,
    kind: type[Worker] = Worker,
) -> Worker:
    poster = SignedPoster(client, SECRET, clock, retry_delays=(0.0,))
    return kind(
        db=db,
        store=store,
        directory=directory,
        senders=senders or {Channel.WEBHOOK: WebhookSender(poster)},
        policy=policy,
        clock=clock,
        batch_size=batch_size,
        lookahead_s=lookahead_s,
        lease_s=lease_s,
    )


async def event_types(db: Database) -> dict[str, int]:
    rows = await db.fetch("SELECT event_type, count(*) AS n FROM events GROUP BY event_type")
    return {r["event_type"].rsplit(".", 1)[1]: r["n"] for r in rows}


async def gapless_logs(db: Database) -> int:
    """Hazards' notice logs whose events are numbered 1..n with the stream at n (none
    lost or doubled by workers recording at once)."""
    count: int = await db.fetchval(
        """SELECT count(*) FROM streams s
           WHERE s.version = (SELECT count(*) FROM events e WHERE e.stream_id = s.stream_id)
             AND s.version = (SELECT max(version) FROM events e WHERE e.stream_id = s.stream_id)"""
    )
    return count


async def leased(db: Database) -> int:
    """Pending notices under some worker's lease."""
    count: int = await db.fetchval(
        "SELECT count(*) FROM notices WHERE claimed_by IS NOT NULL AND state = 'pending'"
    )
    return count


async def states(db: Database) -> dict[str, int]:
    rows = await db.fetch("SELECT state, count(*) AS n FROM notices GROUP BY state")
    return {r["state"]: r["n"] for r in rows}


def at(clock: ManualClock, when: datetime) -> ManualClock:
    clock.set(when)
    return clock
