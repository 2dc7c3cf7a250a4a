"""Small changes to a campaign's groups without a new draw: move a member, swap two,
replace a leader; the rounds not yet started are planned again and re-checked."""

from __future__ import annotations

from fastapi import APIRouter

from crosscheck_platform.eventstore import CommandContext
from crosscheck_platform.http import Runtime
from crosscheck_platform.http.answers import Accepted, accepted
from crosscheck_rotation.api.bodies import ChangeBody
from crosscheck_rotation.api.campaigns import Admin, CampaignId, RosterDep
from crosscheck_rotation.app import campaigns
from crosscheck_rotation.app.commands import ChangeGroups
from crosscheck_rotation.domain.changes import GroupChange

router = APIRouter(prefix="/v1/townships/{code}/campaigns", tags=["campaigns"])


@router.post("/{campaign_id}/groups/change")
async def change_groups(
    scope: Admin, campaign_id: CampaignId, body: ChangeBody, runtime: Runtime, roster: RosterDep
) -> Accepted:
    """Move one member to another group, swap two members or make a leadership
    member their group's leader; once rounds are planned, the rounds not yet started
    (from `from_round`, default the first not closed) are planned again and every
    rule re-checked; 422 naming the cause when the change breaks one."""
    command = ChangeGroups(
        campaign_id,
        GroupChange(body.kind, body.member, body.to_group, body.other),
        reason=body.reason,
        from_round=body.from_round,
        seed=body.seed,
    )
    stored = await campaigns.change_groups(
        runtime.event_store, roster, CommandContext(tenant=scope.tenant), command
    )
    return accepted(campaign_id, stored)
