"""County-level cross-township inspection (县级乡镇交叉互查): each township sends one team,
and round after round every team inspects another township, never its own, nor one it
saw within K rounds. The same planner and checker as inside a township: a township is a
zone (its open places), a team is a group, and a team member's "home" is their township.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from crosscheck_platform.errors import RuleViolation
from crosscheck_rotation.domain.checker import Check, check_round
from crosscheck_rotation.domain.model import (
    Assignment,
    CampaignPlan,
    Group,
    RotationProblem,
    RoundPlan,
    StaffMember,
    Zone,
)
from crosscheck_rotation.domain.planner import BUDGET, plan_campaign
from crosscheck_rotation.domain.recusal import eligible_zones


@dataclass(frozen=True)
class CountyTownship:
    """One township of the county: its places and the team it sends (the first member
    leads and must be a leadership member)."""

    code: str
    name: str
    sites: tuple[str, ...]
    villages: tuple[str, ...]
    team: tuple[StaffMember, ...]


def team_id(code: str) -> str:
    """The group id of the team a township sends."""
    return f"team-{code}"


def _apart(one: StaffMember, other: StaffMember) -> bool:
    return one.staff_id in other.conflict_staff_ids or other.staff_id in one.conflict_staff_ids


def draw_team(
    township: str, staff: Mapping[str, StaffMember], size: int, seed: int
) -> tuple[StaffMember, ...]:
    """The team a township sends, drawn from its active staff with `seed` (the same
    staff and seed give the same team on any machine): a leadership member leads, then
    the others in the order of the draw, skipping anyone declared apart from someone
    already in the team. `township` names the township in refusals."""
    rng = random.Random(f"county-team:{seed}:{township}")
    people = sorted(staff.values(), key=lambda m: m.staff_id)
    rng.shuffle(people)
    leaders = [m for m in people if m.is_leadership]
    if not leaders:
        raise RuleViolation("rotation.county.no_leader", township=township)
    team = [leaders[0]]
    for member in people:
        if len(team) >= size:
            break
        if member is leaders[0] or any(_apart(member, t) for t in team):
            continue
        team.append(member)
    if len(team) < size:
        raise RuleViolation(
            "rotation.county.too_few_staff", township=township, size=size, found=len(team)
        )
    return tuple(team)


def county_problem(townships: Sequence[CountyTownship], rounds: int) -> RotationProblem:
    """The county campaign as a rotation problem. A member's declared places stay
    declared; a declared village bars its whole township."""
    township_of = {v: t.code for t in townships for v in t.villages}
    staff: dict[str, StaffMember] = {}
    groups = []
    for t in townships:
        for m in t.team:
            staff[m.staff_id] = replace(
                m,
                home_village_id=t.code,
                conflict_village_ids=frozenset(
                    township_of[v] for v in m.conflict_village_ids if v in township_of
                ),
            )
        members = tuple(m.staff_id for m in t.team)
        groups.append(Group(team_id(t.code), f"{t.name}检查组", members[0], members))
    zones = [Zone(t.code, t.name, t.code, t.sites) for t in townships if t.sites]
    return RotationProblem(staff, groups, zones, range(1, rounds + 1))


def plan_county(
    townships: Sequence[CountyTownship],
    rounds: int,
    no_repeat_within: int | None,
    seed: int,
    *,
    budget: float = BUDGET,
) -> tuple[RotationProblem, CampaignPlan, Mapping[int, list[Check]]]:
    """Plan every round of the county campaign, and check each with the independent checker."""
    problem = county_problem(townships, rounds)
    plan = plan_campaign(problem, no_repeat_within, seed, budget=budget)
    checks = {
        r.round_no: check_round(
            r.round_no,
            plan.rounds,
            problem.zones,
            problem.groups,
            problem.staff,
            plan.no_repeat_within,
        )
        for r in plan.rounds
    }
    return problem, plan, checks


@dataclass(frozen=True)
class CountyLeg:
    """One township's part of a county campaign: its villages as zones, the teams of the
    other townships as its groups, and in each round the team sent there with the
    places of each village it visits."""

    township: CountyTownship
    zones: tuple[Zone, ...]
    groups: tuple[Group, ...]
    eligible: Mapping[str, list[str]]
    rounds: tuple[RoundPlan, ...]


def legs(
    townships: Sequence[CountyTownship],
    problem: RotationProblem,
    plan: CampaignPlan,
    staff: Mapping[str, StaffMember],
    site_villages: Mapping[str, str],
    village_names: Mapping[str, str],
) -> list[CountyLeg]:
    """The county plan split by the township visited. `staff` are the team members as
    their own township knows them (home village, declared villages and places), so a
    team's eligible villages of a township are those no member is recused from."""
    teams = {g.group_id: g for g in problem.groups}
    out = []
    for host in townships:
        by_village: dict[str, list[str]] = {}
        for site in host.sites:
            by_village.setdefault(site_villages[site], []).append(site)
        zones = tuple(
            Zone(v, village_names.get(v, v), v, tuple(sorted(sites)))
            for v, sites in sorted(by_village.items())
        )
        groups = tuple(g for gid, g in teams.items() if gid != team_id(host.code))
        rounds = tuple(
            RoundPlan(
                r.round_no,
                tuple(
                    Assignment(a.group_id, z.zone_id, tuple(s for s in z.site_ids if s in visited))
                    for a in r.assignments
                    if a.zone_id == host.code
                    for visited in [set(a.site_ids)]
                    for z in zones
                    if visited.intersection(z.site_ids)
                ),
            )
            for r in plan.rounds
        )
        eligible = {g.group_id: eligible_zones(g, zones, staff) for g in groups}
        out.append(CountyLeg(host, zones, groups, eligible, rounds))
    return out
