"""The reference scenario (Weide's shape): formation, a whole campaign, the checker."""

from __future__ import annotations

import pytest

from crosscheck_rotation.domain.checker import check_round
from crosscheck_rotation.domain.formation import form_groups
from crosscheck_rotation.domain.model import CampaignPlan, Group, RotationProblem, StaffMember
from crosscheck_rotation.domain.planner import plan_campaign
from crosscheck_rotation.domain.recusal import eligibility
from crosscheck_rotation.domain.zoning import split_for_groups
from crosscheck_scenarios.rotation import Township, reference


@pytest.fixture(scope="module")
def town() -> Township:
    return reference()


@pytest.fixture(scope="module")
def groups(town: Township) -> list[Group]:
    return form_groups(town.staff, split_for_groups(town.zones(), 8), 8, seed=11)


@pytest.fixture(scope="module")
def plan(town: Township, groups: list[Group]) -> CampaignPlan:
    return plan_campaign(_problem(town, groups), None, seed=5)


def _problem(town: Township, groups: list[Group]) -> RotationProblem:
    staff = {s.staff_id: s for s in town.staff}
    return RotationProblem(staff, groups, split_for_groups(town.zones(), 8), range(1, 7))


def test_scenario_has_weides_shape(town: Township) -> None:
    assert len(town.staff) == 49
    assert sum(s.is_leadership for s in town.staff) >= 8
    assert len(town.villages) == 7 and len(town.sites) == 68
    assert sum(s.home_village_id is not None for s in town.staff) >= 15


def test_eight_groups_of_six_or_seven_each_led_by_one_leadership_member(
    town: Township, groups: list[Group]
) -> None:
    staff = {s.staff_id: s for s in town.staff}
    assert len(groups) == 8
    assert sorted({len(g.member_ids) for g in groups}) in ([6], [6, 7], [7])
    assert sorted(m for g in groups for m in g.member_ids) == sorted(staff)
    for g in groups:
        assert staff[g.leader_id].is_leadership and g.leader_id in g.member_ids


def test_formation_keeps_many_zones_open(town: Township, groups: list[Group]) -> None:
    staff: dict[str, StaffMember] = {s.staff_id: s for s in town.staff}
    zones = split_for_groups(town.zones(), 8)
    open_zones = eligibility(groups, zones, staff)
    # About 20 villagers over 8 groups: grouped by village, each group is barred from
    # few zones; scattered, most groups would be barred from three or more.
    assert min(len(z) for z in open_zones.values()) >= len(zones) - 3


def test_campaign_covers_everything_without_violations(
    town: Township, groups: list[Group], plan: CampaignPlan
) -> None:
    staff = {s.staff_id: s for s in town.staff}
    zones = split_for_groups(town.zones(), 8)
    assert plan.no_repeat_within >= 3
    assert [r.round_no for r in plan.rounds] == [1, 2, 3, 4, 5, 6]
    for r in plan.rounds:
        assert sorted(s for a in r.assignments for s in a.site_ids) == sorted(town.sites)
        checks = check_round(r.round_no, plan.rounds, zones, groups, staff, plan.no_repeat_within)
        assert [c.rule for c in checks if not c.held] == []


def test_the_seed_reproduces_the_plan(
    town: Township, groups: list[Group], plan: CampaignPlan
) -> None:
    again = plan_campaign(_problem(town, groups), None, seed=5)
    assert again.rounds == plan.rounds and again.objective == plan.objective
    other = plan_campaign(_problem(town, groups), plan.no_repeat_within, seed=6)
    assert other.rounds != plan.rounds
