"""The round-by-round start can dead-end where the whole campaign is feasible: the
planner then plans all rounds together with the solver, and the plan is legal."""

from __future__ import annotations

from crosscheck_rotation.domain.checker import check_round
from crosscheck_rotation.domain.planner import plan_campaign
from crosscheck_rotation.domain.warmstart import construct
from crosscheck_rotation.domain.zoning import work_units

from .builders import member, problem, zone


def test_a_dead_end_start_falls_back_to_planning_all_rounds_together() -> None:
    p = problem(
        {
            "g0": [member("s0", "v3", leader=True)],
            "g1": [member("s1", "v0", leader=True)],
            "g2": [member("s2", "v2", leader=True)],
            "g3": [member("s3", leader=True)],
        },
        [zone("v0"), zone("v1"), zone("v2"), zone("v3")],
        rounds=4,
    )
    _, complete = construct(p, work_units(p.zones, 4), 2, 0, one_unit_each=True)
    assert not complete
    plan = plan_campaign(p, 2, seed=0)
    assert [r.round_no for r in plan.rounds] == [1, 2, 3, 4]
    for r in plan.rounds:
        checks = check_round(r.round_no, plan.rounds, p.zones, p.groups, p.staff, 2)
        assert [c.rule for c in checks if not c.held] == []


def test_the_start_is_the_same_for_the_same_seed() -> None:
    p = problem(
        {f"g{i}": [member(f"s{i}", f"v{i}", leader=True)] for i in range(5)},
        [zone(f"v{i}") for i in range(5)],
        rounds=4,
    )
    units = work_units(p.zones, 5)
    first = construct(p, units, 2, 9, one_unit_each=True)
    assert first == construct(p, units, 2, 9, one_unit_each=True) and first[1]
