"""County campaigns (县级乡镇交叉互查) under `/v1/counties/{county}/campaigns`: the
county's roles read them, its county admin launches them and closes their rounds."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends

from crosscheck_platform.http import Runtime, ServiceRuntime
from crosscheck_platform.tenancy.deps import CountyRecords, county_records
from crosscheck_rotation.api import answers
from crosscheck_rotation.api.bodies import CountyLaunchBody
from crosscheck_rotation.api.campaigns import CampaignId, RosterDep, RoundNo
from crosscheck_rotation.app import commands, county
from crosscheck_rotation.app.county import Transaction

Readers = Annotated[CountyRecords, Depends(county_records())]
Admin = Annotated[CountyRecords, Depends(county_records(write=True))]

router = APIRouter(prefix="/v1/counties/{county}/campaigns", tags=["county campaigns"])


def _transaction(runtime: ServiceRuntime) -> Transaction:
    return runtime.database.transaction


def _accepted(county_campaign_id: str, stored: list[Any]) -> dict[str, Any]:
    return {
        "county_campaign_id": county_campaign_id,
        "events": [s.envelope.type.rsplit(".", 1)[-1] for s in stored],
    }


@router.post("", status_code=201, response_model=answers.CountyCampaignLaunched)
async def launch(
    scope: Admin, body: CountyLaunchBody, runtime: Runtime, roster: RosterDep
) -> object:
    """Launch a county campaign: one team drawn from each township's staff (a
    leadership member leads), every round planned at once (no team in its own
    township, no return within K rounds) and checked; each township's part is
    recorded as a campaign of that township."""
    county_campaign_id = f"cc-{uuid.uuid4().hex[:16]}"
    command = commands.LaunchCounty(
        county_campaign_id=county_campaign_id,
        name=body.name,
        starts_on=body.starts_on,
        ends_on=body.ends_on,
        rounds=body.rounds,
        townships=tuple(body.townships),
        team_size=body.team_size,
        no_repeat_within_rounds=body.no_repeat_within_rounds,
        seed=body.seed,
    )
    stored = await county.launch(
        runtime.event_store, roster, _transaction(runtime), scope.county, command
    )
    campaign = await county.load_county(
        runtime.database, runtime.event_store, scope.county, county_campaign_id
    )
    return _accepted(county_campaign_id, stored) | await county.view(roster, campaign)


@router.get("", response_model=list[answers.CountyCampaignListed])
async def listing(scope: Readers, runtime: Runtime) -> object:
    """The county's campaigns, the latest start first."""
    found = await county.of_county(runtime.database, runtime.event_store, scope.county)
    return sorted(
        (county.listed(c) for c in found),
        key=lambda c: (c["starts_on"], c["county_campaign_id"]),
        reverse=True,
    )


@router.get("/{campaign_id}", response_model=answers.CountyCampaign)
async def plan(
    scope: Readers, campaign_id: CampaignId, runtime: Runtime, roster: RosterDep
) -> object:
    """The campaign: each township with its team (named) and the part it hosts (the
    campaign id its inspections are recorded under), every round's visits and checks."""
    campaign = await county.load_county(
        runtime.database, runtime.event_store, scope.county, campaign_id
    )
    return await county.view(roster, campaign)


@router.get("/{campaign_id}/rounds/{round_no}/check", response_model=answers.RoundCheck)
async def check(
    scope: Readers, campaign_id: CampaignId, round_no: RoundNo, runtime: Runtime, roster: RosterDep
) -> object:
    """Re-verify the round with the independent checker, from the recorded events and
    the team members' facts as their townships registered them today."""
    campaign = await county.load_county(
        runtime.database, runtime.event_store, scope.county, campaign_id
    )
    return await county.check(roster, campaign, round_no)


@router.post("/{campaign_id}/rounds/{round_no}/close", response_model=answers.CountyAccepted)
async def close_round(
    scope: Admin, campaign_id: CampaignId, round_no: RoundNo, runtime: Runtime
) -> object:
    """Close the round in every township (in order)."""
    campaign = await county.load_county(
        runtime.database, runtime.event_store, scope.county, campaign_id
    )
    stored = await county.close_round(
        runtime.event_store, _transaction(runtime), campaign, round_no
    )
    return _accepted(campaign_id, stored)
