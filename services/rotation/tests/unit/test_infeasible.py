"""Impossible rosters are answered by the pre-check, naming the cause."""

from __future__ import annotations

import pytest

from crosscheck_rotation.api.causes import text as rendered
from crosscheck_rotation.domain.causes import RotationInfeasible
from crosscheck_rotation.domain.checker import check_round
from crosscheck_rotation.domain.formation import form_groups
from crosscheck_rotation.domain.model import Group, RotationProblem, StaffMember, Zone
from crosscheck_rotation.domain.planner import plan_campaign
from crosscheck_rotation.domain.precheck import precheck
from crosscheck_rotation.domain.zoning import split_for_groups
from crosscheck_scenarios.rotation import reference

from .builders import member, problem, zone


def test_every_group_with_a_villager_blocks_that_zone() -> None:
    p = problem(
        {"g1": [member("a", "x", leader=True)], "g2": [member("b", leader=True), member("c", "x")]},
        [zone("x"), zone("y")],
        rounds=2,
    )
    with pytest.raises(RotationInfeasible) as caught:
        plan_campaign(p, 1, seed=1)
    cause = caught.value.causes[0]
    assert cause.rule == "zone_blocked"
    assert "x村" in rendered(cause, "zh") and "每个检查组" in rendered(cause, "zh")
    assert "every group has a member" in rendered(cause, "en") and "a、c" in rendered(cause, "en")
    assert caught.value.key == "rotation.infeasible.zone_blocked.move_member"


def test_leaders_all_from_one_village_make_the_campaign_impossible() -> None:
    town = reference()
    staff = [
        StaffMember(
            s.staff_id, s.unit, s.is_leadership, "v003" if s.is_leadership else s.home_village_id
        )
        for s in town.staff
    ]
    zones = split_for_groups(town.zones(), 8)
    groups = form_groups(staff, zones, 8, seed=3, budget=0.05)  # any draw will do
    with pytest.raises(RotationInfeasible) as caught:
        plan_campaign(problem_from(staff, groups, zones), None, seed=1)
    assert caught.value.causes[0].rule == "zone_blocked"
    assert "3村" in rendered(caught.value.causes[0], "zh")


def problem_from(
    staff: list[StaffMember], groups: list[Group], zones: list[Zone]
) -> RotationProblem:
    return RotationProblem({s.staff_id: s for s in staff}, groups, zones, range(1, 7))


def test_too_strict_k_names_the_group_and_suggests_a_smaller_k() -> None:
    p = problem(
        {
            "g1": [member("a", "x", leader=True)],
            "g2": [member("b", "y", leader=True)],
            "g3": [member("c", leader=True)],
        },
        [zone("x"), zone("y"), zone("z")],
        rounds=3,
    )
    causes = precheck(p, 2)
    assert [c.rule for c in causes] == [
        "zone_few_groups",
        "zone_few_groups",
        "group_few_zones",
        "group_few_zones",
    ]
    assert causes[2].suggestion == "relax_k" and causes[2].suggestion_params == {"k": 1}
    assert "g1" in rendered(causes[2], "zh") and "K=1" in rendered(causes[2], "zh")
    plan = plan_campaign(p, None, seed=2)
    assert plan.no_repeat_within == 1


def test_too_few_leaders_for_the_groups() -> None:
    staff = [member("a", leader=True), member("b"), member("c")]
    with pytest.raises(RotationInfeasible) as caught:
        form_groups(staff, [zone("x")], 2, seed=1)
    assert caught.value.causes[0].rule == "too_few_leaders"


def test_replanning_keeps_finished_rounds_and_respects_them() -> None:
    town = reference()
    zones = split_for_groups(town.zones(), 8)
    staff = {s.staff_id: s for s in town.staff}
    groups = form_groups(town.staff, zones, 8, seed=11, budget=0.1)  # any draw will do
    first = plan_campaign(problem_from(town.staff, groups, zones), 3, seed=1)
    # A member leaves after round 2: rounds 3-6 are planned again around rounds 1-2.
    leaving = groups[0].member_ids[-1]
    groups[0] = groups[0].__class__(
        groups[0].group_id, groups[0].name, groups[0].leader_id, groups[0].member_ids[:-1]
    )
    later = plan_campaign(
        problem_from(town.staff, groups, zones).__class__(
            staff, groups, zones, range(3, 7), first.rounds[:2]
        ),
        3,
        seed=2,
    )
    assert [r.round_no for r in later.rounds] == [3, 4, 5, 6]
    rounds = (*first.rounds[:2], *later.rounds)
    assert all(leaving not in g.member_ids for g in groups)
    for r in rounds:
        assert all(c.held for c in check_round(r.round_no, rounds, zones, groups, staff, 3))
