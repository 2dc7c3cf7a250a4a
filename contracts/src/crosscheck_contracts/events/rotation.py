"""Rotation events: campaigns, inspection groups and the zone rotation of each round.

The rotation is the heart of 循环互查: groups move from zone to zone every round so
that nobody inspects where they live, where they have relations, or the same place
again and again (breaking 熟人监管 and 人情查).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Annotated, Any, ClassVar, Self

from pydantic import Field, model_validator

from crosscheck_contracts.base import BoundedContext, Event, Payload
from crosscheck_contracts.fields import (
    Code,
    CountyCode,
    Id,
    IdList,
    Name,
    RosterVersion,
    Seed,
    Text,
    TownshipCode,
)

MAX_ROUNDS = 366
"""A generous bound: one round a day for a year."""

RoundNo = Annotated[int, Field(ge=1, le=MAX_ROUNDS)]


def _distinct(what: str, values: Iterable[str]) -> None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise ValueError(f"{what} {value!r} appears more than once")
        seen.add(value)


class RotationRules(Payload):
    """How groups are rotated across zones in this campaign."""

    no_repeat_within_rounds: int | None = Field(default=None, ge=1)
    """A group does not return to a zone within this many rounds; null = as many as feasible."""
    balance_workload: bool
    """Spread the number of places evenly across groups."""
    reshuffle_members: bool
    """Re-form groups between rounds, not only move whole groups."""


class Zone(Payload):
    """An inspection zone (片区): usually one village committee, a large one may be split."""

    zone_id: Id
    name: Name
    village_id: Id
    site_ids: IdList = Field(min_length=1)


class Group(Payload):
    """An inspection group (检查组), led by a member of the township leadership."""

    group_id: Id
    name: Name
    leader_id: Id
    """Staff id of the leader (党政班子成员带队); also listed in member_ids."""
    member_ids: IdList = Field(min_length=1)
    eligible_zone_ids: IdList
    """Zones no member is recused from (home village or declared conflict)."""

    @model_validator(mode="after")
    def _leader_is_member(self) -> Self:
        if self.leader_id not in self.member_ids:
            raise ValueError("leader_id must be one of member_ids")
        return self


class Assignment(Payload):
    """One group sent to (part of) one zone for a round, with the places it must visit."""

    group_id: Id
    zone_id: Id
    site_ids: IdList = Field(min_length=1)


class CheckResult(Payload):
    """Whether one rotation rule held for the plan, and why."""

    rule: Code
    """The rule checked, e.g. no_home_village, no_declared_conflict, no_repeat_within_rounds,
    every_site_covered, leader_in_each_group, balanced_workload."""
    held: bool
    detail: Text


class CountyTeam(Payload):
    """One township of a county campaign and the team it sends to the others."""

    township_code: TownshipCode
    township_name: Name
    group_id: Id
    """The team's group id, the same in every township's part of the campaign."""


class CountyScope(Payload):
    """The county campaign (县级乡镇交叉互查) a township's campaign is part of.

    A county campaign is recorded as one campaign per township taking part, in that
    township's stream and tenant (the township whose places are inspected): its zones
    are the township's villages, its groups the teams of the other townships, each
    round's plan the team sent there. Every part carries this scope, so the county
    campaign is the set of parts sharing `county_campaign_id`."""

    county_campaign_id: Id
    county_code: CountyCode
    townships: list[CountyTeam] = Field(min_length=2)
    """Every township taking part, in the order the county listed them."""

    @model_validator(mode="after")
    def _distinct_townships(self) -> Self:
        _distinct("township", (t.township_code for t in self.townships))
        _distinct("team", (t.group_id for t in self.townships))
        return self


class _RotationEvent(Event):
    context: ClassVar[BoundedContext] = BoundedContext.ROTATION
    aggregate_field: ClassVar[str] = "campaign_id"


class CampaignLaunched(_RotationEvent):
    """The township launched a safety-production inspection campaign (安全生产专项行动)."""

    event_type: ClassVar[str] = "crosscheck.rotation.CampaignLaunched"
    schema_version: ClassVar[int] = 2

    campaign_id: Id
    name: Name
    starts_on: date
    ends_on: date
    rounds: int = Field(ge=1, le=MAX_ROUNDS)
    zones: list[Zone] = Field(min_length=1)
    rules: RotationRules
    county: CountyScope | None = None
    """Set when this campaign is one township's part of a county campaign, run by the
    county (its groups come from the other townships); null for a township's own
    campaign and in events recorded before v2."""

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.ends_on < self.starts_on:
            raise ValueError("ends_on is before starts_on")
        _distinct("zone", (z.zone_id for z in self.zones))
        _distinct("site", (s for z in self.zones for s in z.site_ids))
        return self


class GroupsFormed(_RotationEvent):
    """The inspection staff were divided into groups for the campaign."""

    event_type: ClassVar[str] = "crosscheck.rotation.GroupsFormed"
    schema_version: ClassVar[int] = 2

    campaign_id: Id
    groups: list[Group] = Field(min_length=1)
    seed: Seed
    """Seed of the randomised formation, so the result can be reproduced and audited."""
    roster_version: RosterVersion | None = None
    """The roster the groups were drawn from (or changed against): with the seed, what a
    replay of the draw needs. Null in events recorded before v2."""
    drawn: bool | None = None
    """True when formation drew these groups from `seed`; false when earlier groups were
    adjusted (a member left, a member moved or swapped, a leader replaced). Null before v2."""

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        _distinct("group", (g.group_id for g in self.groups))
        _distinct("staff member", (m for g in self.groups for m in g.member_ids))
        return self


class _RoundPlan(_RotationEvent):
    """Shared shape of a round's plan; not itself an event type."""

    schema_version: ClassVar[int] = 2

    campaign_id: Id
    round_no: RoundNo
    assignments: list[Assignment] = Field(min_length=1)
    seed: Seed
    """Seed of the solver run, so the plan can be reproduced and audited."""
    objective: int
    """The solver's objective value (lower is better), to compare plans."""
    checks: list[CheckResult]
    """Every rotation rule checked against the plan, held or not."""
    zones: list[Zone] | None = None
    """The zones this plan covers when they differ from the campaign's (a place was added
    or closed since launch); null = the zones of CampaignLaunched."""
    roster_version: RosterVersion | None = None
    """The roster (staff and their recusals) the plan was made from, so a replay plans
    from the same facts. Null in events recorded before v2."""

    @model_validator(mode="after")
    def _each_site_once(self) -> Self:
        _distinct("site", (s for a in self.assignments for s in a.site_ids))
        if self.zones is not None:
            _distinct("zone", (z.zone_id for z in self.zones))
            _distinct("zone site", (s for z in self.zones for s in z.site_ids))
        return self


class RoundScheduled(_RoundPlan):
    """A round was planned: which group inspects which zone and places (区域划片、动态轮换)."""

    event_type: ClassVar[str] = "crosscheck.rotation.RoundScheduled"


class RoundReplanned(_RoundPlan):
    """A scheduled round was planned again (e.g. a member left); this plan replaces it."""

    event_type: ClassVar[str] = "crosscheck.rotation.RoundReplanned"

    reason: Text


class RoundClosed(_RotationEvent):
    """A round ended; its assignments are final and the next round may start."""

    event_type: ClassVar[str] = "crosscheck.rotation.RoundClosed"

    campaign_id: Id
    round_no: RoundNo


class CampaignCancelled(_RotationEvent):
    """A campaign that had not started was called off (a failed launch, a wrong period);
    it stays in the log and takes no further command."""

    event_type: ClassVar[str] = "crosscheck.rotation.CampaignCancelled"

    campaign_id: Id
    reason: Text


def roster_unknown(data: dict[str, Any]) -> dict[str, Any]:
    """Upcaster v1 → v2 of RoundScheduled and RoundReplanned: the roster was not recorded."""
    return data | {"roster_version": None}


def township_run(data: dict[str, Any]) -> dict[str, Any]:
    """Upcaster v1 → v2 of CampaignLaunched: every campaign before v2 was a township's."""
    return data | {"county": None}


def draw_unknown(data: dict[str, Any]) -> dict[str, Any]:
    """Upcaster v1 → v2 of GroupsFormed: neither the roster nor whether it was a draw."""
    return data | {"roster_version": None, "drawn": None}


EVENTS: tuple[type[Event], ...] = (
    CampaignLaunched,
    GroupsFormed,
    RoundScheduled,
    RoundReplanned,
    RoundClosed,
    CampaignCancelled,
)
