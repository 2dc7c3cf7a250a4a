"""Campaign housekeeping: a township's campaigns with their state; cancelling one that
has not started."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from crosscheck_platform.clock import CHINA_STANDARD_TIME
from crosscheck_platform.eventstore import CommandContext
from crosscheck_platform.http import Runtime
from crosscheck_platform.http.answers import Accepted, accepted
from crosscheck_rotation.api.bodies import CancelBody
from crosscheck_rotation.api.campaigns import Admin, CampaignId, Readers
from crosscheck_rotation.app import housekeeping
from crosscheck_rotation.domain.campaign import Phase


class CampaignListItem(BaseModel):
    """One campaign of the township, as the console lists it."""

    id: str
    name: str
    state: Phase = Field(
        description="forming (groups drawn, not planned: also a launch whose plan failed), "
        "scheduled, running (a round closed, or planned and its first day come), "
        "finished (every round closed) or cancelled"
    )
    rounds: int
    last_closed_round: int
    starts_on: date
    ends_on: date
    created: datetime = Field(description="when the campaign was launched (UTC)")


def today(request: Request) -> date:
    """The service's clock, as a calendar day in China Standard Time."""
    now: datetime = request.app.state.clock()
    return now.astimezone(CHINA_STANDARD_TIME).date()


Today = Annotated[date, Depends(today)]


def housekeeping_router() -> APIRouter:
    router = APIRouter(prefix="/v1/townships/{code}/campaigns", tags=["campaigns"])

    @router.get("")
    async def list_campaigns(
        scope: Readers, runtime: Runtime, day: Today
    ) -> list[CampaignListItem]:
        """The township's campaigns, newest first, each with its state."""
        items = await housekeeping.list_campaigns(runtime.database, scope.township, day)
        return [
            CampaignListItem(
                id=i.campaign_id,
                name=i.name,
                state=i.state,
                rounds=i.rounds,
                last_closed_round=i.last_closed_round,
                starts_on=i.starts_on,
                ends_on=i.ends_on,
                created=i.created,
            )
            for i in items
        ]

    @router.post("/{campaign_id}/cancel")
    async def cancel(
        scope: Admin, campaign_id: CampaignId, body: CancelBody, runtime: Runtime, day: Today
    ) -> Accepted:
        """Cancel a campaign that has not started (no round closed, and not planned or
        its first day still to come); recorded as CampaignCancelled."""
        stored = await housekeeping.cancel(
            runtime.event_store, CommandContext(tenant=scope.tenant), campaign_id, body.reason, day
        )
        return accepted(campaign_id, stored)

    return router
