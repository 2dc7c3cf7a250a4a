"""Campaign housekeeping: the list of a township's campaigns with their phase, and the
cancellation of one that has not started (an event, kept in the log)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from crosscheck_platform.db import Database
from crosscheck_platform.eventstore import CommandContext, EventStore, StoredEvent
from crosscheck_rotation.adapters import campaign_list
from crosscheck_rotation.app.campaigns import load
from crosscheck_rotation.domain.campaign import Phase, phase


@dataclass(frozen=True)
class CampaignItem:
    campaign_id: str
    name: str
    state: Phase
    rounds: int
    last_closed_round: int
    starts_on: date
    ends_on: date
    created: datetime


async def list_campaigns(db: Database, township: str, today: date) -> list[CampaignItem]:
    async with db.pool.acquire() as conn:
        rows = await campaign_list.campaigns(conn, township)
    return [
        CampaignItem(
            campaign_id=r.campaign_id,
            name=r.name,
            state=phase(r.cancelled, r.rounds, r.last_closed, r.planned, r.starts_on, today),
            rounds=r.rounds,
            last_closed_round=r.last_closed,
            starts_on=r.starts_on,
            ends_on=r.ends_on,
            created=r.created,
        )
        for r in rows
    ]


async def cancel(
    store: EventStore, ctx: CommandContext, campaign_id: str, reason: str, today: date
) -> list[StoredEvent]:
    campaign, _ = await load(store, campaign_id, ctx.tenant.township)
    campaign.cancel(reason, today)
    expected, events = campaign.collect_pending()
    return await store.append(campaign.id, expected, events, ctx)
