"""The balance rule means something: its bound is stated in places, a loose round breaks
it (naming what could move), a load that recusal forces does not, and the planner's
rounds hold it."""

from __future__ import annotations

from crosscheck_rotation.domain.checker import check_round
from crosscheck_rotation.domain.model import Assignment, RoundPlan
from crosscheck_rotation.domain.planner import plan_campaign

from .builders import member, problem, zone


def _sites(village: str, n: int) -> tuple[str, ...]:
    return tuple(f"{village}-p{i}" for i in range(n))


ZONES = [zone(v, *_sites(v, n)) for v, n in (("a", 8), ("b", 8), ("c", 7), ("d", 8), ("e", 6))]


def _balance(p: object, plan: RoundPlan) -> tuple[bool, tuple[str, ...], str]:
    checks = check_round(1, [plan], ZONES, p.groups, p.staff, 1)  # type: ignore[attr-defined]
    found = next(c for c in checks if c.rule == "balanced_workload")
    return found.held, found.problems, found.note


def _round(*pairs: tuple[str, str]) -> RoundPlan:
    sizes = {z.zone_id: z.site_ids for z in ZONES}
    return RoundPlan(1, tuple(Assignment(g, z, sizes[z]) for g, z in pairs))


def test_a_loose_round_breaks_the_bound_and_says_what_could_move() -> None:
    p = problem(
        {
            "g1": [member("s1", leader=True)],
            "g2": [member("s2", leader=True)],
            "g3": [member("s3", leader=True)],
        },
        ZONES,
        rounds=1,
    )
    # 37 places, 3 groups, largest share 8: bound ceil((37 - 8) / 3) + 8 = 18.
    # g1 carries 22 (a, b, e), g2 8, g3 7: loose, and e (6) fits g3 within the bound.
    held, problems, note = _balance(
        p, _round(("g1", "a"), ("g1", "b"), ("g1", "e"), ("g2", "d"), ("g3", "c"))
    )
    assert not held and note == "max 22, min 7 places, bound 18 places"
    assert "e村 could move from g1 (22) to g3 (7)" in problems


def test_a_load_recusal_forces_is_not_a_break() -> None:
    # Only g1 may enter a, b and e (the others live there): 22 places, but nothing can move.
    p = problem(
        {
            "g1": [member("s1", leader=True)],
            "g2": [
                member("s2", leader=True),
                member("s4", "a"),
                member("s5", "b"),
                member("s6", "e"),
            ],
            "g3": [
                member("s3", leader=True),
                member("s7", "a"),
                member("s8", "b"),
                member("s9", "e"),
            ],
        },
        ZONES,
        rounds=1,
    )
    held, problems, _ = _balance(
        p, _round(("g1", "a"), ("g1", "b"), ("g1", "e"), ("g2", "d"), ("g3", "c"))
    )
    assert held and problems == ()


def test_the_planner_holds_the_bound() -> None:
    p = problem(
        {
            "g1": [member("s1", leader=True)],
            "g2": [member("s2", leader=True)],
            "g3": [member("s3", leader=True)],
        },
        ZONES,
        rounds=3,
    )
    plan = plan_campaign(p, 1, seed=4)
    for r in plan.rounds:
        checks = check_round(r.round_no, plan.rounds, ZONES, p.groups, p.staff, 1)
        assert all(c.held for c in checks), checks
