"""Risk-aware rounds: the zones weighed by what earlier rounds found, and the riskiest
sent to the strongest group in the next round, among plans equally good on every rule."""

from __future__ import annotations

from crosscheck_rotation.domain.checker import check_round
from crosscheck_rotation.domain.model import Group, RotationProblem, StaffMember, Zone
from crosscheck_rotation.domain.planner import plan_campaign
from crosscheck_rotation.domain.risk import Finding, weights, zone_risk


def test_weights_count_open_major_and_overdue_per_ten_places() -> None:
    zones = [
        Zone("a", "甲村", "a", tuple(f"a{i}" for i in range(20))),
        Zone("b", "乙村", "b", ("b0",)),
    ]
    found = [
        Finding("a0", 1, major=True, closed=False, overdue=True),  # 1 + 3 + 2
        Finding("a1", 1, major=False, closed=True, overdue=False),  # closed: not counted
        Finding("b0", 1, major=False, closed=False, overdue=False),  # 1 in a 1-place zone
        Finding("b0", 2, major=True, closed=False, overdue=False),  # round 2: not yet
    ]
    risks = {r.zone_id: r for r in zone_risk(found, zones, before=2)}
    assert (risks["a"].open, risks["a"].major, risks["a"].overdue) == (1, 1, 1)
    assert weights(list(risks.values())) == {"a": 3, "b": 10}  # 6*10/20, 1*10/1


def _problem(risk: dict[str, int]) -> RotationProblem:
    people = [StaffMember(f"s{i}", "应急办", i in (0, 1, 3), name=f"干部{i}") for i in range(6)]
    staff = {s.staff_id: s for s in people}
    groups = [
        Group("g1", "第1组", "s0", ("s0",)),
        Group("g2", "第2组", "s1", ("s1", "s2")),
        Group("g3", "第3组", "s3", ("s3", "s4", "s5")),
    ]
    zones = [Zone(z, f"{z}村", z, (f"{z}-p1",)) for z in ("x", "y", "z")]
    return RotationProblem(staff, groups, zones, range(2, 4), history=(), risk=risk)


def test_the_riskiest_zone_goes_to_the_strongest_group_next_round() -> None:
    plain = set()
    for seed in range(1, 9):
        plan = plan_campaign(_problem({"y": 40, "z": 5}), 1, seed, budget=0.5)
        first = {a.zone_id: a.group_id for a in plan.rounds[0].assignments}
        assert first["y"] == "g3" and first["z"] == "g2", (seed, first)
        problem = _problem({"y": 40, "z": 5})
        for r in plan.rounds:
            checks = check_round(
                r.round_no, plan.rounds, problem.zones, problem.groups, problem.staff, 1
            )
            assert all(c.held for c in checks)
        without = plan_campaign(_problem({}), 1, seed, budget=0.5)
        plain.add(next(a.group_id for a in without.rounds[0].assignments if a.zone_id == "y"))
    # Without the weights the draw sends any group to y: the weights made the choice.
    assert len(plain) > 1
