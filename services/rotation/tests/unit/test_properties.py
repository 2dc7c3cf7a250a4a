"""Properties on random small rosters and zones: every plan passes the independent
checker; every "impossible" is confirmed by brute force; the default K is the largest
feasible one."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crosscheck_rotation.domain.causes import RotationInfeasible
from crosscheck_rotation.domain.checker import check_round
from crosscheck_rotation.domain.model import Group, RotationProblem, StaffMember, Zone
from crosscheck_rotation.domain.planner import plan_campaign

from .brute import feasible

VILLAGES = ["a", "b", "c", "d"]


@st.composite
def problems(draw: st.DrawFn) -> RotationProblem:
    villages = VILLAGES[: draw(st.integers(2, 4))]
    zones = []
    for v in villages:
        size = draw(st.integers(1, 3))
        zones.append(Zone(v, f"{v}村", v, tuple(f"{v}{i}" for i in range(size))))
    sites = [s for z in zones for s in z.site_ids]
    home = st.sampled_from([None, None, *villages])
    groups, staff = [], {}
    for g in range(draw(st.integers(1, 3))):
        members = []
        for m in range(draw(st.integers(1, 2))):
            sid = f"s{g}{m}"
            conflict_v = draw(st.sets(st.sampled_from(villages), max_size=1))
            conflict_s = draw(st.sets(st.sampled_from(sites), max_size=1))
            staff[sid] = StaffMember(
                sid, "u", m == 0, draw(home), frozenset(conflict_v), frozenset(conflict_s)
            )
            members.append(sid)
        groups.append(Group(f"g{g}", f"g{g}", members[0], tuple(members)))
    return RotationProblem(staff, groups, zones, range(1, draw(st.integers(1, 3)) + 1))


SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(problems(), st.integers(1, 2), st.integers(0, 2**31))
def test_plans_pass_the_checker_and_impossible_is_really_impossible(
    problem: RotationProblem, k: int, seed: int
) -> None:
    try:
        plan = plan_campaign(problem, k, seed, budget=5)
    except RotationInfeasible as exc:
        assert exc.causes[0].rule != "solver_unknown"
        assert not feasible(problem, k)
        return
    assert plan.no_repeat_within == k
    for r in plan.rounds:
        checks = check_round(
            r.round_no, plan.rounds, problem.zones, problem.groups, problem.staff, k
        )
        assert [c.problems for c in checks if not c.held] == []


@SETTINGS
@given(problems(), st.integers(0, 2**31))
def test_default_k_is_the_largest_feasible(problem: RotationProblem, seed: int) -> None:
    top = max(1, len(problem.rounds) - 1)
    best = max((k for k in range(1, top + 1) if feasible(problem, k)), default=None)
    try:
        plan = plan_campaign(problem, None, seed, budget=5)
    except RotationInfeasible:
        assert best is None
        return
    assert plan.no_repeat_within == best
