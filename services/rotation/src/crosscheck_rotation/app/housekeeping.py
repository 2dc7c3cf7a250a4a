"""Campaign housekeeping: the cancellation of a campaign that has not started (an event,
kept in the log)."""

from __future__ import annotations

from datetime import date

from crosscheck_platform.eventstore import CommandContext, EventStore, StoredEvent
from crosscheck_rotation.app.campaigns import load


async def cancel(
    store: EventStore, ctx: CommandContext, campaign_id: str, reason: str, today: date
) -> list[StoredEvent]:
    campaign, _ = await load(store, campaign_id, ctx.tenant.township)
    campaign.cancel(reason, today)
    expected, events = campaign.collect_pending()
    return await store.append(campaign.id, expected, events, ctx)
