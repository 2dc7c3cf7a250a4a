"""What the rotation's operations answer, as the OpenAPI documents show them."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field


class CampaignAccepted(BaseModel):
    """A command's answer: the campaign, its new version, the events it caused."""

    campaign_id: str
    version: int | None = Field(description="the campaign's version after the command")
    events: list[str] = Field(description="the types of the events recorded, in order")


class ZoneRef(BaseModel):
    zone_id: str
    name: str


class Group(BaseModel):
    """An inspection group: its leader, its members and the zones it may enter."""

    group_id: str
    name: str
    leader_id: str
    member_ids: list[str]
    eligible_zones: list[ZoneRef]


class Formation(BaseModel):
    """How the groups were drawn for the K asked (K-aware formation)."""

    no_repeat_within_rounds: int = Field(
        description="the largest K a plan reached with these groups (at most the K asked; "
        "0: no plan with them, the schedule names why)"
    )
    draw: int = Field(description="which draw gave them: 1 = the seed itself, then derived")
    draws_tried: int


class CampaignWithGroups(CampaignAccepted):
    groups: list[Group]
    formation: Formation


class Zone(BaseModel):
    zone_id: str
    name: str
    village_id: str
    sites: int = Field(description="places in the zone")


class Assignment(BaseModel):
    group_id: str
    zone_id: str
    site_ids: list[str]


class RecordedCheck(BaseModel):
    rule: str
    held: bool
    detail: str


class RoundPlan(BaseModel):
    round_no: int
    closed: bool
    replanned: bool
    no_repeat_within_rounds: int | None
    seed: int
    objective: int
    assignments: list[Assignment]
    loads: dict[str, int] = Field(description="places per group in this round")
    checks: list[RecordedCheck] = Field(description="the checks recorded with the plan")


class CampaignPlan(BaseModel):
    """The campaign, its groups and every round's plan with its recorded checks."""

    campaign_id: str
    version: int
    name: str
    starts_on: date | None
    ends_on: date | None
    rounds: int
    no_repeat_within_rounds: int | None
    last_closed_round: int
    county_campaign_id: str | None = Field(
        default=None,
        description="set when the campaign is this township's part of a county campaign "
        "(its groups are the other townships' teams; the county plans it)",
    )
    zones: list[Zone]
    groups: list[Group]
    schedule: list[RoundPlan]


class RuleCheck(BaseModel):
    rule: str
    held: bool
    note: str
    problems: list[str]


class DrawReplay(BaseModel):
    """The latest draw of the groups done again from its recorded roster and seed."""

    replayed: bool = Field(description="false when the draw's roster was not recorded")
    reason: str | None = None
    seed: int | None = None
    roster_version: str | None = None
    matches: bool | None = Field(
        default=None, description="the same leaders and members came out of the draw"
    )


class Replay(BaseModel):
    """The round planned again from what its events recorded."""

    replayed: bool = Field(description="false for a replanned round (not replayed)")
    reason: str | None = None
    seed: int | None = None
    no_repeat_within_rounds: int | None = None
    matches: bool | None = Field(
        default=None, description="the same plan came out of the recorded seed and inputs"
    )
    rounds_compared: list[int] = Field(default_factory=list)
    reproducible: bool | None = None
    roster_version: str | None = Field(
        default=None, description="the roster the plan was made from, as its event records"
    )
    roster: Literal["recorded", "today"] | None = Field(
        default=None,
        description="replayed from the roster the plan recorded, or (a plan recorded "
        "before rosters were kept) from today's",
    )
    draw: DrawReplay | None = Field(default=None, description="the groups' draw replayed")


class RoundCheck(BaseModel):
    """A round re-verified against every rule from the recorded events alone."""

    round_no: int
    no_repeat_within_rounds: int
    held: bool
    checks: list[RuleCheck]
    agrees_with_recorded: bool = Field(description="the same verdicts as recorded with the plan")
    replay: Replay | None = Field(default=None, description="with ?replay=true")


class GroupRef(BaseModel):
    group_id: str
    name: str


class Why(BaseModel):
    zh: str
    en: str


class ZoneRisk(BaseModel):
    """A zone's weight for the next round's plan, and its parts (see the README)."""

    zone_id: str
    zone: str = Field(description="the zone's name")
    weight: int = Field(
        description="(open + 3 x major + 2 x overdue + presence_flagged + 2 x lenient "
        "groups) x 10 / places, rounded up: the riskiest zones go to the strongest groups "
        "in the next round planned"
    )
    open: int = Field(description="hazards found in the rounds closed and not yet closed")
    major: int = Field(description="of which major (重大隐患)")
    overdue: int = Field(description="of which past their rectification deadline")
    places: int
    presence_flagged: int = Field(
        description="inspections of the zone whose evidence did not show the group at the "
        "place (1 point each)"
    )
    flags: dict[str, int] = Field(
        description="of those, how many carried each presence flag (far_from_place, "
        "taken_before_step, no_position)"
    )
    lenient_groups: list[GroupRef] = Field(
        description="groups the calibration finds lenient (the ledgers' statistic) that "
        "inspected the zone (2 points each); another group inspects it next round"
    )
    raw: int = Field(description="the points before density")
    why: Why = Field(description="why this weight, naming the zone and the groups")


class RosterCounts(BaseModel):
    """What the rotation has learnt of a township's roster from the registry's events."""

    township: str
    name: str | None = Field(
        default=None, description="the township's name, once its registration is known here"
    )
    sites: int = Field(description="open places")
    staff: int = Field(description="active staff")
    staff_with_conflicts: int


class Person(BaseModel):
    staff_id: str
    name: str


class CountyTeam(BaseModel):
    """The team a township sends to the others."""

    group_id: str
    name: str
    leader: Person | None
    members: list[Person] = Field(description="leader first")


class CountyTownship(BaseModel):
    township_code: str
    name: str
    campaign_id: str = Field(
        description="the township's part of the county campaign: a campaign of that "
        "township, under which the inspections of its places are recorded"
    )
    places: int = Field(description="places of the township the campaign covers")
    team: CountyTeam


class CountyVisit(BaseModel):
    """One team sent to one township in a round, with the places it visits."""

    group_id: str
    team: str = Field(description="the team's name")
    from_township: str = Field(description="the name of the team's own township")
    township_code: str
    township: str = Field(description="the name of the township visited")
    campaign_id: str = Field(description="the visited township's part of the campaign")
    site_ids: list[str]
    places: list[str] = Field(description="the places' names, in the order of site_ids")


class CountyRound(BaseModel):
    round_no: int
    closed: bool
    no_repeat_within_rounds: int | None
    visits: list[CountyVisit]
    checks: list[RecordedCheck] = Field(description="the checks recorded with the plan")


class CountyCampaign(BaseModel):
    """A county campaign: the townships, their teams and every round's visits."""

    county_campaign_id: str
    county_code: str
    name: str
    starts_on: date | None
    ends_on: date | None
    rounds: int
    stage: Literal["launched", "scheduled", "in_progress", "finished"]
    last_closed_round: int
    seed: int = Field(description="the seed of the teams' draw and of the plan")
    townships: list[CountyTownship]
    schedule: list[CountyRound]


class CountyCampaignLaunched(CountyCampaign):
    events: list[str] = Field(description="the types of the events recorded, in order")


class CountyCampaignListed(BaseModel):
    county_campaign_id: str
    name: str
    starts_on: date | None
    ends_on: date | None
    rounds: int
    townships: list[str] = Field(description="the townships taking part, by name")
    stage: Literal["launched", "scheduled", "in_progress", "finished"]
    last_closed_round: int


class CountyAccepted(BaseModel):
    county_campaign_id: str
    events: list[str] = Field(description="the types of the events recorded, in order")


class CampaignReplanned(CampaignAccepted):
    risk: list[ZoneRisk] = Field(
        description="what weighed each zone in the first round planned again, riskiest first"
    )
