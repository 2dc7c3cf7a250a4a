"""Campaign housekeeping: cancelling a campaign that has not started."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request

from crosscheck_platform.clock import CHINA_STANDARD_TIME
from crosscheck_platform.eventstore import CommandContext
from crosscheck_platform.http import Runtime
from crosscheck_platform.http.answers import Accepted, accepted
from crosscheck_rotation.api.bodies import CancelBody
from crosscheck_rotation.api.campaigns import Admin, CampaignId
from crosscheck_rotation.app import housekeeping
from crosscheck_rotation.app.commands import Cancel


def today(request: Request) -> date:
    """The service's clock, as a calendar day in China Standard Time."""
    now: datetime = request.app.state.clock()
    return now.astimezone(CHINA_STANDARD_TIME).date()


Today = Annotated[date, Depends(today)]


router = APIRouter(prefix="/v1/townships/{code}/campaigns", tags=["campaigns"])


@router.post("/{campaign_id}/cancel")
async def cancel(
    scope: Admin, campaign_id: CampaignId, body: CancelBody, runtime: Runtime, day: Today
) -> Accepted:
    """Cancel a campaign that has not started (no round closed, and not planned or
    its first day still to come); recorded as CampaignCancelled."""
    stored = await housekeeping.cancel(
        runtime.event_store,
        CommandContext(tenant=scope.tenant),
        Cancel(campaign_id, body.reason, day),
    )
    return accepted(campaign_id, stored)
