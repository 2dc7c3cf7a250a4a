"""County campaigns (县级乡镇交叉互查): the county draws one team from each township
taking part, plans every round with the same planner (a township is a zone, a team a
group, a member's township their home) and records the campaign as one campaign per
township, in that township's stream and tenant: its villages as zones, the other
townships' teams as its groups, each round the team sent there. Every part carries the
county scope (`CampaignLaunched.county`), so hazards, ledgers and outside subscribers
read a township's part as they read its own campaigns. All parts are written in one
transaction; commands on them come from the county only.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, replace
from typing import Any
from uuid import uuid4

from crosscheck_contracts.envelope import Tenant
from crosscheck_contracts.events import rotation as contract
from crosscheck_platform.db import Database
from crosscheck_platform.errors import NotFound, RuleViolation
from crosscheck_platform.eventstore import CommandContext, EventStore, StoredEvent, StreamAppend
from crosscheck_platform.eventstore.recorder import AtomicWrite
from crosscheck_platform.tenancy import county_of_township
from crosscheck_rotation.app import solving
from crosscheck_rotation.app.campaigns import load, new_seed
from crosscheck_rotation.app.commands import LaunchCounty
from crosscheck_rotation.app.roster import RosterSource
from crosscheck_rotation.domain.campaign import Campaign
from crosscheck_rotation.domain.checker import Check, check_round
from crosscheck_rotation.domain.county import (
    CountyTownship,
    county_problem,
    draw_team,
    legs,
    plan_county,
    team_id,
)
from crosscheck_rotation.domain.model import Assignment, Group, RoundPlan, StaffMember
from crosscheck_rotation.domain.roster_version import version

_LEG_NAMESPACE = uuid.UUID("2b7f8f0e-4c1a-4f59-9d0e-6a3c5b1e7d21")

Transaction = Callable[[], AbstractAsyncContextManager[Any]]


def leg_id(county_campaign_id: str, township: str) -> str:
    """The id of a township's part of a county campaign (derived, so a retry finds it)."""
    return f"c-{uuid.uuid5(_LEG_NAMESPACE, f'{county_campaign_id}/{township}').hex[:16]}"


def county_roster_version(versions: Mapping[str, str]) -> str:
    """The content version of the county's rosters: one digest of every township's."""
    return version({"townships": dict(sorted(versions.items()))})


@dataclass(frozen=True)
class CountyCampaign:
    """A county campaign as its parts' events left them, in the county's order."""

    county_campaign_id: str
    scope: contract.CountyScope
    parts: tuple[Campaign, ...]

    @property
    def first(self) -> Campaign:
        return self.parts[0]

    def part_of(self, township: str) -> Campaign:
        codes = [t.township_code for t in self.scope.townships]
        return self.parts[codes.index(township)]


async def _write(
    store: EventStore, transaction: Transaction | None, parts: Sequence[tuple[Campaign, Tenant]]
) -> list[StoredEvent]:
    """Every part's pending events, each in its township's tenant, all or nothing."""
    correlation = uuid4()
    writes = []
    for campaign, tenant in parts:
        expected, events = campaign.collect_pending()
        context = CommandContext(tenant=tenant, correlation_id=correlation)
        writes.append(AtomicWrite([StreamAppend(campaign.id, expected, events)], context))
    stored: list[StoredEvent] = []
    if transaction is None:
        for write in writes:
            stored += await store.commit(write)
        return stored
    async with transaction() as connection:
        for write in writes:
            stored += await store.commit(write, connection=connection)
    return stored


async def _townships(
    roster: RosterSource, county: str, cmd: LaunchCounty, seed: int
) -> tuple[list[CountyTownship], dict[str, StaffMember], dict[str, str], dict[str, str], str]:
    """Each township with its open places, villages and the team it sends; every team
    member as their township knows them, where each place lies, the villages' names and
    the version of the rosters read."""
    names = await roster.township_names(county)
    townships: list[CountyTownship] = []
    staff: dict[str, StaffMember] = {}
    site_villages: dict[str, str] = {}
    village_names: dict[str, str] = {}
    versions: dict[str, str] = {}
    for code in cmd.townships:
        if county_of_township(code) != county:
            raise RuleViolation("rotation.county.not_in_county", township=names.get(code, code))
        name = names.get(code, code)
        now = await roster.current(code)
        if not now.sites:
            raise RuleViolation("rotation.county.no_places", township=name)
        villages = await roster.village_names(code)
        team = draw_team(name, now.staff, cmd.team_size, seed)
        townships.append(
            CountyTownship(
                code,
                name,
                tuple(sorted(now.sites)),
                tuple(sorted(set(villages) | set(now.sites.values()))),
                team,
            )
        )
        staff.update({m.staff_id: m for m in team})
        site_villages.update(now.sites)
        village_names.update(villages)
        versions[code] = now.version
    return townships, staff, site_villages, village_names, county_roster_version(versions)


async def launch(
    store: EventStore,
    roster: RosterSource,
    transaction: Transaction | None,
    county: str,
    cmd: LaunchCounty,
) -> list[StoredEvent]:
    """Draw the teams, plan every round, check each with the independent checker and
    record each township's part (launched, its visiting teams, every round's plan)."""
    seed = new_seed() if cmd.seed is None else cmd.seed
    townships, staff, site_villages, village_names, roster_version = await _townships(
        roster, county, cmd, seed
    )
    problem, plan, checks = await solving.solve(
        plan_county, townships, cmd.rounds, cmd.no_repeat_within_rounds, seed
    )
    scope = contract.CountyScope(
        county_campaign_id=cmd.county_campaign_id,
        county_code=county,
        townships=[
            contract.CountyTeam(
                township_code=t.code, township_name=t.name, group_id=team_id(t.code)
            )
            for t in townships
        ],
    )
    rules = contract.RotationRules(
        no_repeat_within_rounds=cmd.no_repeat_within_rounds,
        balance_workload=True,
        reshuffle_members=False,
    )
    parts: list[tuple[Campaign, Tenant]] = []
    for leg in legs(townships, problem, plan, staff, site_villages, village_names):
        campaign = Campaign.launch(
            leg_id(cmd.county_campaign_id, leg.township.code),
            name=cmd.name,
            starts_on=cmd.starts_on,
            ends_on=cmd.ends_on,
            rounds=cmd.rounds,
            zones=leg.zones,
            rules=rules,
            county=scope,
        )
        campaign.form_groups(leg.groups, leg.eligible, seed, roster_version)
        campaign.schedule(replace(plan, rounds=leg.rounds), checks, roster_version)
        parts.append((campaign, Tenant(county=county, township=leg.township.code)))
    return await _write(store, transaction, parts)


_PARTS = """SELECT stream_id, township, data->'county'->>'county_campaign_id' AS id
             FROM events WHERE county = $1 AND version = 1 AND event_type = $2
               AND data->'county'->>'county_campaign_id' IS NOT NULL"""


async def of_county(db: Database, store: EventStore, county: str) -> list[CountyCampaign]:
    """Every county campaign of the county, each as its parts' events left them."""
    rows = await db.fetch(_PARTS, county, contract.CampaignLaunched.event_type)
    found: dict[str, dict[str, str]] = {}
    for r in rows:
        found.setdefault(r["id"], {})[r["township"]] = r["stream_id"]
    return [await _assemble(store, county, cid, parts) for cid, parts in sorted(found.items())]


async def load_county(
    db: Database, store: EventStore, county: str, county_campaign_id: str
) -> CountyCampaign:
    """The county campaign from its parts; another county's is not found."""
    rows = await db.fetch(
        _PARTS + " AND data->'county'->>'county_campaign_id' = $3",
        county,
        contract.CampaignLaunched.event_type,
        county_campaign_id,
    )
    if not rows:
        raise NotFound("rotation.county.campaign_not_found")
    parts = {r["township"]: r["stream_id"] for r in rows}
    return await _assemble(store, county, county_campaign_id, parts)


async def _assemble(
    store: EventStore, county: str, county_campaign_id: str, parts: Mapping[str, str]
) -> CountyCampaign:
    loaded = {code: (await load(store, stream, code))[0] for code, stream in parts.items()}
    scope = next(iter(loaded.values())).state.county
    assert scope is not None
    ordered = tuple(loaded[t.township_code] for t in scope.townships)
    return CountyCampaign(county_campaign_id, scope, ordered)


async def from_scope(store: EventStore, scope: contract.CountyScope) -> CountyCampaign:
    """The county campaign a township's part names (its parts' ids are derived)."""
    cid = scope.county_campaign_id
    parts = {t.township_code: leg_id(cid, t.township_code) for t in scope.townships}
    return await _assemble(store, scope.county_code, cid, parts)


async def close_round(
    store: EventStore, transaction: Transaction | None, campaign: CountyCampaign, round_no: int
) -> list[StoredEvent]:
    """Close round `round_no` in every township's part, all or nothing."""
    parts = []
    for township, part in zip(campaign.scope.townships, campaign.parts, strict=True):
        part.close_round(round_no)
        tenant = Tenant(county=campaign.scope.county_code, township=township.township_code)
        parts.append((part, tenant))
    return await _write(store, transaction, parts)


def _teams(campaign: CountyCampaign, round_no: int) -> dict[str, Group]:
    """Team id -> the team (members leader first) in force when round `round_no` was
    planned, as the other townships' parts recorded it."""
    teams: dict[str, Group] = {}
    for part in campaign.parts:
        record = part.state.plans.get(round_no)
        for g in record.groups if record else part.state.groups:
            rest = tuple(m for m in g.member_ids if m != g.leader_id)
            teams.setdefault(g.group_id, replace(g, member_ids=(g.leader_id, *rest)))
    return teams


def county_rounds(campaign: CountyCampaign) -> list[RoundPlan]:
    """Every recorded round as the county planned it: each team sent to a township,
    with the places it visits there (gathered from the township's part)."""
    numbers = sorted(campaign.first.state.plans)
    out = []
    for n in numbers:
        visits: dict[tuple[str, str], list[str]] = {}
        for township, part in zip(campaign.scope.townships, campaign.parts, strict=True):
            record = part.state.plans.get(n)
            for a in record.plan.assignments if record else ():
                visits.setdefault((a.group_id, township.township_code), []).extend(a.site_ids)
        out.append(
            RoundPlan(
                n, tuple(Assignment(g, t, tuple(sorted(s))) for (g, t), s in sorted(visits.items()))
            )
        )
    return out


async def check(roster: RosterSource, campaign: CountyCampaign, round_no: int) -> dict[str, Any]:
    """The independent check of a county round: the county problem rebuilt from the
    parts' events (townships as zones with the places each part recorded, the teams in
    force) and today's facts of every team member from their own township; the same
    checker as inside a township."""
    first = campaign.first
    record = first.state.plans.get(round_no)
    if record is None:
        raise NotFound("rotation.round_not_found", round=round_no)
    teams = _teams(campaign, round_no)
    townships = []
    site_names: dict[str, str] = {}
    for t, part in zip(campaign.scope.townships, campaign.parts, strict=True):
        known = await roster.staff(t.township_code, active_only=False)
        villages = await roster.village_names(t.township_code)
        site_names.update(await roster.site_names(t.township_code))
        part_record = part.state.plans.get(round_no)
        zones = part_record.zones if part_record else part.state.zones
        team = teams.get(t.group_id)
        members = team.member_ids if team else ()
        townships.append(
            CountyTownship(
                t.township_code,
                t.township_name,
                tuple(sorted(s for z in zones for s in z.site_ids)),
                tuple(sorted(set(villages) | {z.village_id for z in zones})),
                tuple(known.get(m) or StaffMember(m, "", False) for m in members),
            )
        )
    rounds = county_rounds(campaign)
    problem = county_problem(townships, len(rounds))
    k = first.k_in_force() or 1
    checks = check_round(
        round_no, rounds, problem.zones, problem.groups, problem.staff, k, site_names
    )
    recorded = {c.rule: c.held for c in record.checks}
    return {
        "replay": None,
        "round_no": round_no,
        "no_repeat_within_rounds": k,
        "held": all(c.held for c in checks),
        "checks": [_check_out(c) for c in checks],
        "agrees_with_recorded": all(recorded.get(c.rule) == c.held for c in checks),
    }


def _check_out(c: Check) -> dict[str, Any]:
    return {"rule": c.rule, "held": c.held, "note": c.note, "problems": list(c.problems)}


def stage(campaign: Campaign) -> str:
    s = campaign.state
    if s.last_closed:
        return "finished" if s.last_closed >= s.rounds else "in_progress"
    return "scheduled" if s.plans else "launched"


async def view(roster: RosterSource, campaign: CountyCampaign) -> dict[str, Any]:
    """The county campaign as the county reads it: the townships with the team each
    sends (named members) and the part it hosts, and every round's visits by name."""
    s = campaign.first.state
    teams = _teams(campaign, max(s.plans, default=1))
    people: dict[str, str] = {}
    places: dict[str, str] = {}
    for t in campaign.scope.townships:
        known = await roster.staff(t.township_code, active_only=False)
        people.update({m.staff_id: m.label for m in known.values()})
        places.update(await roster.site_names(t.township_code))
    by_team = {t.group_id: t for t in campaign.scope.townships}
    by_code = {t.township_code: t for t in campaign.scope.townships}
    parts = dict(
        zip((t.township_code for t in campaign.scope.townships), campaign.parts, strict=True)
    )

    def person(staff_id: str) -> dict[str, str]:
        return {"staff_id": staff_id, "name": people.get(staff_id, staff_id)}

    townships = []
    for t in campaign.scope.townships:
        team = teams.get(t.group_id)
        members = team.member_ids if team else ()
        part = parts[t.township_code]
        townships.append(
            {
                "township_code": t.township_code,
                "name": t.township_name,
                "campaign_id": part.id,
                "places": sum(z.size for z in part.current_zones()),
                "team": {
                    "group_id": t.group_id,
                    "name": team.name if team else t.township_name,
                    "leader": person(members[0]) if members else None,
                    "members": [person(m) for m in members],
                },
            }
        )
    schedule = []
    for r in county_rounds(campaign):
        record = s.plans[r.round_no]
        schedule.append(
            {
                "round_no": r.round_no,
                "closed": r.round_no <= s.last_closed,
                "no_repeat_within_rounds": record.no_repeat_within,
                "visits": [
                    {
                        "group_id": a.group_id,
                        "team": teams[a.group_id].name if a.group_id in teams else a.group_id,
                        "from_township": by_team[a.group_id].township_name,
                        "township_code": a.zone_id,
                        "township": by_code[a.zone_id].township_name,
                        "campaign_id": parts[a.zone_id].id,
                        "site_ids": list(a.site_ids),
                        "places": [places.get(p, p) for p in a.site_ids],
                    }
                    for a in r.assignments
                ],
                "checks": [c.model_dump() for c in record.checks],
            }
        )
    return {
        "county_campaign_id": campaign.county_campaign_id,
        "county_code": campaign.scope.county_code,
        "name": s.name,
        "starts_on": s.starts_on,
        "ends_on": s.ends_on,
        "rounds": s.rounds,
        "stage": stage(campaign.first),
        "last_closed_round": s.last_closed,
        "seed": s.formation_seed,
        "townships": townships,
        "schedule": schedule,
    }


def listed(campaign: CountyCampaign) -> dict[str, Any]:
    s = campaign.first.state
    return {
        "county_campaign_id": campaign.county_campaign_id,
        "name": s.name,
        "starts_on": s.starts_on,
        "ends_on": s.ends_on,
        "rounds": s.rounds,
        "townships": [t.township_name for t in campaign.scope.townships],
        "stage": stage(campaign.first),
        "last_closed_round": s.last_closed,
    }
