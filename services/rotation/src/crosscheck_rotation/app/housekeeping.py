"""Campaign housekeeping: the cancellation of a campaign that has not started (an event,
kept in the log)."""

from __future__ import annotations

from crosscheck_platform.eventstore import CommandContext, EventStore, StoredEvent
from crosscheck_rotation.app.campaigns import on_campaign
from crosscheck_rotation.app.commands import Cancel
from crosscheck_rotation.domain.campaign import Campaign


async def cancel(store: EventStore, ctx: CommandContext, cmd: Cancel) -> list[StoredEvent]:
    async def decide(campaign: Campaign) -> None:
        campaign.cancel(cmd.reason, cmd.today)

    return await on_campaign(store, ctx, cmd.campaign_id, decide)
