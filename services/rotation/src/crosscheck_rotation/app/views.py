"""What the read endpoints return, folded from the campaign's events."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from crosscheck_rotation.domain.campaign import Campaign

CampaignStage = Literal["launched", "scheduled", "in_progress", "finished"]


class CampaignListed(BaseModel):
    """One campaign of a township, as its list shows it."""

    campaign_id: str
    name: str
    starts_on: date
    ends_on: date
    rounds: int
    groups: int
    rounds_scheduled: int
    last_closed_round: int
    stage: CampaignStage
    """launched (groups formed), scheduled, in_progress (a round closed), finished."""
    cancelled: bool = Field(
        description="called off before it started (CampaignCancelled); stage says how far "
        "it had got"
    )
    created: datetime = Field(description="when the campaign was launched (UTC)")
    county_campaign_id: str | None = Field(
        default=None,
        description="set when the campaign is this township's part of a county campaign "
        "(the county plans it and closes its rounds)",
    )


def listed(campaign: Campaign, created: datetime) -> CampaignListed:
    s = campaign.state
    assert s.starts_on is not None and s.ends_on is not None
    stage: CampaignStage = "launched"
    if s.plans:
        stage = "scheduled"
    if s.last_closed:
        stage = "finished" if s.last_closed >= s.rounds else "in_progress"
    return CampaignListed(
        campaign_id=campaign.id,
        name=s.name,
        starts_on=s.starts_on,
        ends_on=s.ends_on,
        rounds=s.rounds,
        groups=len(s.groups),
        rounds_scheduled=len(s.plans),
        last_closed_round=s.last_closed,
        stage=stage,
        cancelled=s.cancelled,
        created=created,
        county_campaign_id=s.county.county_campaign_id if s.county else None,
    )


def summary(campaign: Campaign) -> dict[str, Any]:
    s = campaign.state
    return {
        "campaign_id": campaign.id,
        "version": campaign.version,
        "name": s.name,
        "starts_on": s.starts_on,
        "ends_on": s.ends_on,
        "rounds": s.rounds,
        "no_repeat_within_rounds": s.rules.no_repeat_within_rounds if s.rules else None,
        "last_closed_round": s.last_closed,
        "county_campaign_id": s.county.county_campaign_id if s.county else None,
        "zones": [
            {"zone_id": z.zone_id, "name": z.name, "village_id": z.village_id, "sites": z.size}
            for z in campaign.current_zones()
        ],
    }


def groups(campaign: Campaign) -> list[dict[str, Any]]:
    s = campaign.state
    zone_names = {z.zone_id: z.name for z in (*s.zones, *campaign.current_zones())}
    return [
        {
            "group_id": g.group_id,
            "name": g.name,
            "leader_id": g.leader_id,
            "member_ids": list(g.member_ids),
            "eligible_zones": [
                {"zone_id": z, "name": zone_names.get(z, z)} for z in s.eligible.get(g.group_id, [])
            ],
        }
        for g in s.groups
    ]


def plan(campaign: Campaign) -> dict[str, Any]:
    s = campaign.state
    return {
        **summary(campaign),
        "groups": groups(campaign),
        "schedule": [
            {
                "round_no": n,
                "closed": n <= s.last_closed,
                "replanned": rec.replanned,
                "no_repeat_within_rounds": rec.no_repeat_within,
                "seed": rec.seed,
                "objective": rec.objective,
                "assignments": [
                    {"group_id": a.group_id, "zone_id": a.zone_id, "site_ids": list(a.site_ids)}
                    for a in rec.plan.assignments
                ],
                "loads": rec.plan.loads(),
                "checks": [c.model_dump() for c in rec.checks],
            }
            for n, rec in sorted(s.plans.items())
        ],
    }
