"""K-aware formation: draw the groups so that the rotation the campaign asks for holds.

How far groups can rotate (K, no return to a zone within K rounds) depends on who is in
which group: people recused from different villages in one group shut it out of both.
So formation and rotation are decided together: draw after draw (draw 0 from the seed
itself, the next ones from seeds derived from it, all reproducible), each draw's largest
feasible K is found (the pre-check's bound, confirmed by a plan), and the first draw that
reaches the K asked for is kept; with no K asked, the draw reaching the largest K (the
first on a tie, stopping early at the most any draw could reach). The number of draws is
fixed, never a time limit, so the same inputs and seed give the same groups anywhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from crosscheck_rotation.domain.causes import Cause, RotationInfeasible
from crosscheck_rotation.domain.formation import FORMATION_BUDGET, form_groups
from crosscheck_rotation.domain.model import Group, RotationProblem, StaffMember, Zone
from crosscheck_rotation.domain.planner import plan_campaign
from crosscheck_rotation.domain.precheck import largest_passing_k, precheck

DRAWS = 6
"""Draws tried at most."""
CONFIRM_BUDGET = 1.0
"""Deterministic time of the plan that confirms a draw's K."""


@dataclass(frozen=True)
class Formed:
    groups: list[Group]
    k: int
    """The largest K a plan reached with these groups (at most the rounds - 1); 0 when
    no plan was found with them."""
    draw: int
    """Which draw (0 = the seed itself) gave them."""
    draws_tried: int


def draw_seed(seed: int, draw: int) -> int:
    """Draw 0 is the seed itself; the others are derived from it, reproducibly."""
    return seed if draw == 0 else (seed * 1_000_003 + draw * 7_919) % (2**31 - 1)


def reachable_k(problem: RotationProblem, seed: int, *, at_most: int | None = None) -> int:
    """The largest K (at most `at_most`) for which a plan of `problem` exists, as far as
    a plan of the confirm budget finds; 0 when none does."""
    bound = largest_passing_k(problem)
    if bound is None:
        return 0
    k = min(bound, at_most) if at_most else bound
    while k >= 1:
        try:
            plan_campaign(problem, k, seed, budget=CONFIRM_BUDGET)
            return k
        except RotationInfeasible:
            k -= 1
    return 0


def form_for_k(
    staff: Sequence[StaffMember],
    zones: Sequence[Zone],
    groups: int,
    seed: int,
    rounds: int,
    k: int | None,
    *,
    draws: int = DRAWS,
    budget: float = FORMATION_BUDGET,
) -> Formed:
    """Groups for a campaign of `rounds` rounds under K = `k` (None: as large as any
    draw allows). A K no draw reaches is a RotationInfeasible naming the best K a draw
    reached (and which), then what blocks K with that draw."""
    by_id = {s.staff_id: s for s in staff}
    most = max(1, rounds - 1)
    want = most if k is None else k
    best: tuple[int, int, list[Group]] | None = None
    tried = 0
    for n in range(draws):
        tried = n + 1
        drawn = form_groups(staff, zones, groups, draw_seed(seed, n), budget=budget)
        problem = RotationProblem(by_id, drawn, zones, range(1, rounds + 1))
        reached = reachable_k(problem, seed, at_most=want)
        if best is None or reached > best[0]:
            best = (reached, n, drawn)
        if reached >= want:
            break
    assert best is not None
    reached, n, drawn = best
    if k is not None and reached < k:
        problem = RotationProblem(by_id, drawn, zones, range(1, rounds + 1))
        why = precheck(problem, k) or [Cause("solver_infeasible", {"k": k}, "relax_or_move", {})]
        raise RotationInfeasible(
            [
                Cause(
                    "k_not_reached",
                    {"k": k, "draws": tried, "best": reached, "draw": n + 1},
                    "best_draw",
                    {"k": reached, "seed": draw_seed(seed, n)},
                ),
                *why,
            ]
        )
    # With no K asked and no draw allowing any plan, the groups are still recorded: the
    # schedule names what blocks it, and small changes may clear it.
    return Formed(drawn, reached, n, tried)
