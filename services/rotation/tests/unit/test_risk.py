"""Risk-aware rounds: the zones weighed by what earlier rounds found, and the riskiest
sent to the strongest group in the next round, among plans equally good on every rule."""

from __future__ import annotations

from datetime import UTC, datetime

from crosscheck_rotation.api.risk_texts import why
from crosscheck_rotation.domain.checker import check_round
from crosscheck_rotation.domain.model import (
    Assignment,
    Group,
    RotationProblem,
    RoundPlan,
    StaffMember,
    Zone,
)
from crosscheck_rotation.domain.planner import plan_campaign
from crosscheck_rotation.domain.risk import Finding, Visited, lenient_groups, weights, zone_risk


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


def test_presence_flags_and_lenient_groups_weigh_and_say_why() -> None:
    """A group that reports nothing where the others find hazards is flagged by the
    calibration (the ledgers' statistic): the zones it inspected weigh 2 more per such
    group; an inspection whose evidence did not show the group on site weighs 1. The
    why names the village and the group, in Chinese and English."""
    zones = [
        Zone("a", "甲村", "a", tuple(f"a{i}" for i in range(10))),
        Zone("b", "乙村", "b", tuple(f"b{i}" for i in range(10))),
    ]
    at = datetime(2026, 12, 1, tzinfo=UTC)
    visits = [
        # Round 1: 第2组 finds 3 hazards at every place of 甲村; round 2: 第1组 none there.
        *(Visited(f"i2-{i}", f"a{i}", 1, "g2", at, 3) for i in range(10)),
        *(Visited(f"i1-{i}", f"a{i}", 2, "g1", at, 0) for i in range(10)),
        # 乙村: one inspection whose photos were taken far away and before the step.
        Visited("ib", "b0", 2, "g3", at, 0, frozenset({"far_from_place", "taken_before_step"})),
        Visited("ib1", "b1", 3, "g3", at, 0, frozenset({"no_position"})),  # round 3: not yet
    ]
    assert lenient_groups(visits, before=3) == {"g1"}
    risks = {r.zone_id: r for r in zone_risk([], zones, before=3, visits=visits)}
    assert risks["a"].lenient_groups == ("g1",) and risks["a"].raw == 2
    assert risks["a"].weight == 2  # 2 points per 10 places
    assert risks["b"].presence_flagged == 1 and risks["b"].raw == 1
    assert risks["b"].flags == {"far_from_place": 1, "taken_before_step": 1}
    groups = {"g1": "第1组", "g2": "第2组", "g3": "第3组"}
    why_a = why(risks["a"], "甲村", groups)
    assert why_a["zh"].startswith("甲村:") and "第1组" in why_a["zh"] and "偏松" in why_a["zh"]
    assert "第1组 inspected it and the calibration finds them lenient" in why_a["en"]
    why_b = why(risks["b"], "乙村", groups)
    assert "拍摄位置超出场所范围 1" in why_b["zh"] and "权重1" in why_b["zh"]
    assert why_b["en"].startswith("乙村: 1 inspection(s) whose evidence did not show")
    assert "g1" not in why_a["zh"] + why_a["en"]  # groups by name, never by id


def test_a_lenient_groups_zone_gets_another_group_next_round() -> None:
    """The weight is secondary: every rule holds, and the no-repeat rule already keeps
    the lenient group out of the zone it inspected last round."""
    problem = _problem({"x": 20})
    history = (
        RoundPlan(
            1,
            (
                Assignment("g1", "x", ("x-p1",)),
                Assignment("g2", "y", ("y-p1",)),
                Assignment("g3", "z", ("z-p1",)),
            ),
        ),
    )
    problem = RotationProblem(
        problem.staff, problem.groups, problem.zones, range(2, 4), history, {"x": 20}
    )
    plan = plan_campaign(problem, 1, 3, budget=0.5)
    nxt = {a.zone_id: a.group_id for a in plan.rounds[0].assignments}
    assert nxt["x"] != "g1" and nxt["x"] == "g3"  # another group, the strongest free one
    every = [*history, *plan.rounds]
    for r in plan.rounds:
        checks = check_round(r.round_no, every, problem.zones, problem.groups, problem.staff, 1)
        assert all(c.held for c in checks)
