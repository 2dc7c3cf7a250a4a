"""County-level cross-township inspection (县级乡镇交叉互查): each township sends one team,
and round after round every team inspects another township, never its own, nor one it
saw within K rounds. The same planner and checker as inside a township: a township is a
zone (its open places), a team is a group, and a team member's "home" is their township.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from crosscheck_rotation.domain.checker import Check, check_round
from crosscheck_rotation.domain.model import CampaignPlan, Group, RotationProblem, StaffMember, Zone
from crosscheck_rotation.domain.planner import BUDGET, plan_campaign


@dataclass(frozen=True)
class CountyTownship:
    """One township of the county: its places and the team it sends (the first member
    leads and must be a leadership member)."""

    code: str
    name: str
    sites: tuple[str, ...]
    villages: tuple[str, ...]
    team: tuple[StaffMember, ...]


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
        groups.append(Group(f"team-{t.code}", f"{t.name}检查组", members[0], members))
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
