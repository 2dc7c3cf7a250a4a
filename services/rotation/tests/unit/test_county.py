"""County cross-township inspection: every team inspects another township each round,
never its own, every place covered, every rule held by the independent checker."""

from __future__ import annotations

from dataclasses import replace

import pytest

from crosscheck_platform.errors import RuleViolation
from crosscheck_rotation.domain.county import CountyTownship, draw_team, plan_county
from crosscheck_rotation.domain.model import StaffMember
from crosscheck_scenarios.rotation import county


def _county(n: int) -> list[CountyTownship]:
    return county(
        n,
        seed=300,
        villages=5,
        places=30,
        places_step=5,
        staff=12,
        leadership=3,
        team=slice(2, 7),
        from_villages=0.5,
        conflict_rate=0.1,
    )


def test_three_townships_inspect_each_other_never_their_own() -> None:
    townships = _county(3)
    _, plan, checks = plan_county(townships, 2, None, seed=7, budget=1.0)
    assert plan.no_repeat_within == 1
    for r in plan.rounds:
        assert len(r.assignments) == 3
        for a in r.assignments:
            assert a.group_id != f"team-{a.zone_id}"  # never its own township
        assert all(c.held for c in checks[r.round_no]), checks[r.round_no]
    # Round 2 sends every team to the township it did not see in round 1.
    first = {a.group_id: a.zone_id for a in plan.rounds[0].assignments}
    second = {a.group_id: a.zone_id for a in plan.rounds[1].assignments}
    assert all(first[g] != second[g] for g in first)


def test_twenty_townships_rotate_with_the_largest_k() -> None:
    townships = _county(20)
    _, plan, checks = plan_county(townships, 6, None, seed=1, budget=1.0)
    assert plan.no_repeat_within == 5
    assert all(c.held for cs in checks.values() for c in cs)


def test_a_townships_team_is_drawn_from_the_seed_led_and_kept_apart() -> None:
    people = {f"s{i}": StaffMember(f"s{i}", "应急办", i < 2, name=f"干部{i}") for i in range(1, 9)}
    # 干部3 and 干部4 are brothers: never in one team.
    people["s3"] = replace(people["s3"], conflict_staff_ids=frozenset({"s4"}))
    teams = {draw_team("东山乡", people, 4, seed) for seed in range(40)}
    assert len(teams) > 1  # the seed draws
    for seed in range(40):
        team = draw_team("东山乡", people, 4, seed)
        assert team == draw_team("东山乡", dict(reversed(people.items())), 4, seed)
        assert team[0].is_leadership and len(team) == 4
        assert not {"s3", "s4"} <= {m.staff_id for m in team}
    with pytest.raises(RuleViolation) as refused:
        draw_team("西河镇", {k: v for k, v in people.items() if not v.is_leadership}, 3, 1)
    assert refused.value.params == {"township": "西河镇"}
    with pytest.raises(RuleViolation) as refused:
        draw_team("东山乡", people, 9, 1)
    assert refused.value.key == "rotation.county.too_few_staff"
