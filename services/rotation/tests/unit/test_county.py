"""County cross-township inspection: every team inspects another township each round,
never its own, every place covered, every rule held by the independent checker."""

from __future__ import annotations

from crosscheck_rotation.domain.county import CountyTownship, plan_county
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
