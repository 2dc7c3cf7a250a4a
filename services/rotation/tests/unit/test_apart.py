"""Officials kept apart (relatives, a chain of command): formation never puts them in one
group, a change that would is refused, groups that hold them are named by the pre-check,
and the independent checker breaks no_declared_conflict naming both people."""

from __future__ import annotations

from dataclasses import replace

import pytest

from crosscheck_platform.errors import RuleViolation
from crosscheck_rotation.api.causes import text as rendered
from crosscheck_rotation.domain.causes import RotationInfeasible
from crosscheck_rotation.domain.changes import GroupChange, apply_change
from crosscheck_rotation.domain.checker import check_round
from crosscheck_rotation.domain.formation import form_groups
from crosscheck_rotation.domain.model import Group, RotationProblem, StaffMember
from crosscheck_rotation.domain.planner import plan_campaign
from crosscheck_rotation.domain.precheck import precheck
from crosscheck_rotation.domain.zoning import split_for_groups
from crosscheck_scenarios.rotation import reference

DRAW_BUDGET = 0.1
"""Enough for formation to seat the reference township (its seating is then good, not
the best): what these tests check holds for any draw, so none needs the service's
budget."""


def _declare(staff: list[StaffMember], pairs: list[tuple[int, int]]) -> list[StaffMember]:
    """Staff with the pairs declared by the first of each (the relation holds both ways)."""
    out = list(staff)
    for a, b in pairs:
        out[a] = replace(out[a], conflict_staff_ids=out[a].conflict_staff_ids | {out[b].staff_id})
    return out


def _pairs_together(groups: list[Group], staff: dict[str, StaffMember]) -> list[tuple[str, str]]:
    return [
        (a, b)
        for g in groups
        for a in g.member_ids
        for b in g.member_ids
        if b in staff[a].conflict_staff_ids
    ]


@pytest.mark.parametrize("seed", [1, 2])
def test_formation_keeps_declared_pairs_apart(seed: int) -> None:
    town = reference()
    zones = split_for_groups(town.zones(), 8)
    plain = form_groups(town.staff, zones, 8, seed, budget=DRAW_BUDGET)
    # Declare pairs among people the plain draw put together, a leader with a member, and
    # a chain of three: the draw must now part every pair.
    together = [(g.member_ids[1], g.member_ids[2]) for g in plain[:3]]
    index = {s.staff_id: i for i, s in enumerate(town.staff)}
    leader = index[plain[3].leader_id]
    pairs = [(index[a], index[b]) for a, b in together]
    pairs += [(leader, index[plain[3].member_ids[-1]]), (10, 11), (11, 12), (10, 12)]
    staff = _declare(town.staff, pairs)
    by_id = {s.staff_id: s for s in staff}
    assert _pairs_together(plain, by_id)
    groups = form_groups(staff, zones, 8, seed, budget=DRAW_BUDGET)
    assert _pairs_together(groups, by_id) == []
    plan = plan_campaign(RotationProblem(by_id, groups, zones, range(1, 7)), None, seed)
    for r in plan.rounds:
        checks = check_round(r.round_no, plan.rounds, zones, groups, by_id, plan.no_repeat_within)
        assert all(c.held for c in checks), checks


def test_a_group_holding_a_pair_is_named_by_the_precheck_and_the_checker() -> None:
    town = reference()
    zones = split_for_groups(town.zones(), 8)
    groups = form_groups(town.staff, zones, 8, seed=1, budget=DRAW_BUDGET)
    a, b = groups[0].member_ids[1], groups[0].member_ids[2]
    staff = {s.staff_id: s for s in town.staff}
    staff[b] = replace(staff[b], conflict_staff_ids=frozenset({a}))
    names = staff[a].name, staff[b].name
    assert all(names) and a not in "".join(names)
    problem = RotationProblem(staff, groups, zones, range(1, 7))
    [cause] = precheck(problem, 2)
    assert cause.rule == "staff_conflict_in_group"
    text = rendered(cause, "zh")
    assert names[0] in text and names[1] in text and groups[0].name in text
    assert "调到另一个检查组" in text
    with pytest.raises(RotationInfeasible):
        plan_campaign(problem, None, seed=1)
    # The checker, on its own, over a plan made without the declaration.
    plan = plan_campaign(
        RotationProblem(dict(staff, **{b: town.staff[0]}), groups, zones, [1]), 1, 1
    )
    checks = {c.rule: c for c in check_round(1, plan.rounds, zones, groups, staff, 1)}
    broken = checks["no_declared_conflict"]
    assert not broken.held
    assert any(names[0] in p and names[1] in p and a not in p for p in broken.problems)


def test_a_change_that_joins_a_pair_is_refused_naming_both() -> None:
    people = [
        StaffMember("a", "应急办", True, name="王建国"),
        StaffMember("b", "应急办", False, name="李平", conflict_staff_ids=frozenset({"d"})),
        StaffMember("c", "应急办", True, name="张华"),
        StaffMember("d", "应急办", False, name="刘明"),
        StaffMember("e", "应急办", False, name="陈军"),
    ]
    staff = {s.staff_id: s for s in people}
    groups = [Group("g1", "第1组", "a", ("a", "b")), Group("g2", "第2组", "c", ("c", "d", "e"))]
    with pytest.raises(RuleViolation) as caught:
        apply_change(groups, GroupChange("move", "b", to_group="g2"), staff)
    assert caught.value.key == "rotation.change_staff_conflict"
    assert caught.value.params == {"member": "李平", "other": "刘明", "group": "第2组"}
    with pytest.raises(RuleViolation):
        apply_change(groups, GroupChange("swap", "b", other="e"), staff)
    moved = apply_change(groups, GroupChange("move", "e", to_group="g1"), staff)
    assert moved[0].member_ids == ("a", "b", "e")


def test_more_people_kept_apart_than_groups_is_named() -> None:
    town = reference()
    zones = split_for_groups(town.zones(), 3)
    plain = [s for s in town.staff if not s.is_leadership][:4]
    ids = [s.staff_id for s in plain]
    staff = [
        replace(s, conflict_staff_ids=frozenset(ids) - {s.staff_id}) if s in plain else s
        for s in town.staff
    ]
    with pytest.raises(RotationInfeasible) as caught:
        form_groups(staff, zones, 3, seed=1, budget=0.5)
    [cause] = caught.value.causes
    assert cause.rule == "staff_conflict_unseatable"
    assert all(s.name in rendered(cause, "zh") for s in plain)
