"""Campaigns: launch (zones and groups), scheduling every round, the plan, the
independent check of a round, replanning after roster changes, closing rounds."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path

from crosscheck_platform.auth import Role
from crosscheck_platform.eventstore import CommandContext, StoredEvent
from crosscheck_platform.http import Runtime, ServiceRuntime
from crosscheck_platform.tenancy.deps import TownshipScope, township_records
from crosscheck_rotation.adapters.roster import PostgresRoster
from crosscheck_rotation.api import answers, risk_texts
from crosscheck_rotation.api.bodies import DrawBody, LaunchBody, ReplanBody
from crosscheck_rotation.app import campaigns, checks, commands, views
from crosscheck_rotation.domain.campaign import Campaign
from crosscheck_rotation.domain.kaware import Formed
from crosscheck_rotation.domain.risk import zone_risk

CampaignId = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")]
RoundNo = Annotated[int, Path(ge=1, le=366)]
# A campaign and its plan are the township's own records (the plan names every village):
# its own roles and its county's read them, its admin changes them.
Readers = Annotated[TownshipScope, Depends(township_records())]
Admin = Annotated[TownshipScope, Depends(township_records(write=True, roles=[Role.TOWNSHIP_ADMIN]))]


async def roster_of(runtime: Runtime) -> PostgresRoster:
    return PostgresRoster(runtime.database)


RosterDep = Annotated[PostgresRoster, Depends(roster_of)]


def accepted(campaign_id: str, stored: list[StoredEvent]) -> dict[str, Any]:
    """A command's answer: the campaign, its new version, the events it caused."""
    return {
        "campaign_id": campaign_id,
        "version": stored[-1].version if stored else None,
        "events": [s.envelope.type.rsplit(".", 1)[-1] for s in stored],
    }


router = APIRouter(prefix="/v1/townships/{code}/campaigns", tags=["campaigns"])


@router.get("")
async def listing(scope: Readers, runtime: Runtime) -> list[views.CampaignListed]:
    """The township's campaigns, the latest start first."""
    found = await campaigns.of_township(runtime.database, runtime.event_store, scope.township)
    return sorted(
        (views.listed(c, created) for c, created in found),
        key=lambda c: (c.starts_on, c.campaign_id),
        reverse=True,
    )


@router.post("", status_code=201, response_model=answers.CampaignWithGroups)
async def launch(scope: Admin, body: LaunchBody, runtime: Runtime, roster: RosterDep) -> object:
    """Launch a campaign: zones from the registry's places (one per village, large
    villages split, split further so every group has work) and its groups."""
    campaign_id = f"c-{uuid.uuid4().hex[:16]}"
    command = commands.Launch(campaign_id=campaign_id, **body.model_dump())
    stored, formed = await campaigns.launch(
        runtime.event_store, roster, CommandContext(tenant=scope.tenant), command
    )
    groups = await _groups(runtime, scope.township, campaign_id)
    return {**accepted(campaign_id, stored), "groups": groups, "formation": _formation(formed)}


@router.post("/{campaign_id}/groups", response_model=answers.CampaignWithGroups)
async def form_groups(
    scope: Admin, campaign_id: CampaignId, body: DrawBody, runtime: Runtime, roster: RosterDep
) -> object:
    """Form the groups again (a new draw, or after roster changes), before scheduling."""
    stored, formed = await campaigns.reform(
        runtime.event_store,
        roster,
        CommandContext(tenant=scope.tenant),
        commands.Reform(campaign_id, body.seed),
    )
    return {
        **accepted(campaign_id, stored),
        "groups": await _groups(runtime, scope.township, campaign_id),
        "formation": _formation(formed),
    }


@router.get("/{campaign_id}/risk", response_model=list[answers.ZoneRisk])
async def risk(
    scope: Readers, campaign_id: CampaignId, runtime: Runtime, roster: RosterDep
) -> object:
    """What the rounds closed found, zone by zone: the weights the next replan gives the
    zones (the riskiest to the strongest groups), with their parts."""
    campaign, _ = await campaigns.load(runtime.event_store, campaign_id, scope.township)
    return await _risk(roster, campaign, campaign.state.last_closed + 1)


async def _risk(roster: PostgresRoster, campaign: Campaign, before: int) -> list[dict[str, Any]]:
    """The zones' weights from what rounds before `before` found, riskiest first, each
    with its parts and why, naming the zone and the groups."""
    zones = campaign.current_zones()
    names = {z.zone_id: z.name for z in zones}
    groups = {g.group_id: g.name for g in campaign.state.groups}
    found = await roster.findings(campaign.id)
    visits = await roster.visits(campaign.id)
    ranked = sorted(zone_risk(found, zones, before, visits), key=lambda r: -r.weight)
    return [
        {
            **asdict(r),
            "zone": names[r.zone_id],
            "lenient_groups": [{"group_id": g, "name": groups.get(g, g)} for g in r.lenient_groups],
            "why": risk_texts.why(r, names[r.zone_id], groups),
        }
        for r in ranked
    ]


def _formation(formed: Formed) -> dict[str, int]:
    return {
        "no_repeat_within_rounds": formed.k,
        "draw": formed.draw + 1,
        "draws_tried": formed.draws_tried,
    }


@router.post("/{campaign_id}/schedule", response_model=answers.CampaignAccepted)
async def schedule(
    scope: Admin, campaign_id: CampaignId, body: DrawBody, runtime: Runtime, roster: RosterDep
) -> object:
    """Plan every round together (422 naming the cause when the rules cannot hold)."""
    stored = await campaigns.schedule(
        runtime.event_store,
        roster,
        CommandContext(tenant=scope.tenant),
        commands.Schedule(campaign_id, body.seed),
    )
    return accepted(campaign_id, stored)


@router.post("/{campaign_id}/replan", response_model=answers.CampaignReplanned)
async def replan(
    scope: Admin, campaign_id: CampaignId, body: ReplanBody, runtime: Runtime, roster: RosterDep
) -> object:
    """Plan the rounds not yet started again, from the roster as it is now; the answer
    says what weighed each zone (`risk`, riskiest first, with why)."""
    stored = await campaigns.replan(
        runtime.event_store,
        roster,
        CommandContext(tenant=scope.tenant),
        commands.Replan(campaign_id, body.reason, body.from_round, body.seed),
    )
    campaign, _ = await campaigns.load(runtime.event_store, campaign_id, scope.township)
    first = body.from_round or campaign.state.last_closed + 1
    return accepted(campaign_id, stored) | {"risk": await _risk(roster, campaign, first)}


@router.post("/{campaign_id}/rounds/{round_no}/close", response_model=answers.CampaignAccepted)
async def close_round(
    scope: Admin, campaign_id: CampaignId, round_no: RoundNo, runtime: Runtime
) -> object:
    stored = await campaigns.close_round(
        runtime.event_store,
        CommandContext(tenant=scope.tenant),
        commands.CloseRound(campaign_id, round_no),
    )
    return accepted(campaign_id, stored)


@router.get("/{campaign_id}", response_model=answers.CampaignPlan)
async def plan(scope: Readers, campaign_id: CampaignId, runtime: Runtime) -> object:
    """The campaign, its groups and every round's plan with its recorded checks."""
    campaign, _ = await campaigns.load(runtime.event_store, campaign_id, scope.township)
    return views.plan(campaign)


@router.get("/{campaign_id}/groups", response_model=list[answers.Group])
async def groups(scope: Readers, campaign_id: CampaignId, runtime: Runtime) -> object:
    """Each group with its members and the zones it may enter."""
    campaign, _ = await campaigns.load(runtime.event_store, campaign_id, scope.township)
    return views.groups(campaign)


@router.get("/{campaign_id}/rounds/{round_no}/check", response_model=answers.RoundCheck)
async def check(
    scope: Readers,
    campaign_id: CampaignId,
    round_no: RoundNo,
    runtime: Runtime,
    roster: RosterDep,
    replay: bool = False,
) -> object:
    """Re-verify the round against every rule from the recorded events alone; with
    `replay=true` also plan it again from its recorded seed and say whether the
    same plan comes out (a solver run of seconds)."""
    await campaigns.load(runtime.event_store, campaign_id, scope.township)
    return await checks.check(
        runtime.event_store,
        roster,
        scope.township,
        campaign_id,
        round_no,
        replay=replay,
    )


async def _groups(runtime: ServiceRuntime, township: str, campaign_id: str) -> list[dict[str, Any]]:
    campaign, _ = await campaigns.load(runtime.event_store, campaign_id, township)
    return views.groups(campaign)
