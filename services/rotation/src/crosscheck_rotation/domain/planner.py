"""The campaign planner: all rounds together, after the fast pre-check.

A seeded round-by-round start (bipartite matchings, `warmstart`) comes first. With more
groups than zones every group takes one unit whose size is fixed by the split, so every
legal plan is optimal: when the start reaches the last round it is the plan, drawn at
random by its seed (双随机) yet reproducibly. Otherwise CP-SAT plans all rounds together
from that start, in lexicographic phases with proven bounds: (1) the largest workload of
each round, (2) the spread of each round given (1), (3) a random tie-break drawn from the
seed, so equally good plans are chosen at random. Every search stops on a deterministic
budget (`solver`), so the same inputs and seed give the same plan on any machine; only
when the wall-clock safety net cut a search does the plan say it may not be reproducible.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence

from crosscheck_rotation.domain.causes import Cause, RotationInfeasible
from crosscheck_rotation.domain.cpsat import cp_model
from crosscheck_rotation.domain.model import (
    Assignment,
    Bounds,
    CampaignPlan,
    RotationProblem,
    RoundPlan,
)
from crosscheck_rotation.domain.precheck import largest_passing_k, precheck
from crosscheck_rotation.domain.rotation_model import RotationModel, build
from crosscheck_rotation.domain.solver import Outcome, solve
from crosscheck_rotation.domain.warmstart import construct
from crosscheck_rotation.domain.zoning import WorkUnit, work_units

BUDGET = 6.0
"""Deterministic time (about seconds of one core) of a campaign's searches, per lane."""
TIE_BREAK_BUDGET = 0.1
"""Deterministic time spent drawing among equally good plans."""


def plan_campaign(
    problem: RotationProblem,
    no_repeat_within: int | None,
    seed: int,
    *,
    budget: float = BUDGET,
) -> CampaignPlan:
    """Plan `problem.rounds`; K = None means the largest K that stays feasible. `budget`
    is deterministic time: the same inputs, seed and budget give the same plan."""
    if no_repeat_within is not None:
        causes = precheck(problem, no_repeat_within)
        if causes:
            raise RotationInfeasible(causes)
        return _solve(problem, no_repeat_within, seed, budget)
    k = largest_passing_k(problem)
    if k is None:
        raise RotationInfeasible(precheck(problem, 1))
    while True:
        try:
            return _solve(problem, k, seed, budget)
        except RotationInfeasible:
            if k == 1:
                raise
            k -= 1


Picked = set[tuple[str, int, int]]


class _Clock:
    """Whether the wall-clock safety net cut any search of this plan."""

    def __init__(self) -> None:
        self.cut = False

    def note(self, outcome: Outcome) -> Outcome:
        self.cut = self.cut or outcome.cut_by_clock
        return outcome


def _solve(problem: RotationProblem, k: int, seed: int, budget: float) -> CampaignPlan:
    clock = _Clock()
    units = work_units(problem.zones, len(problem.groups))
    one_unit_each = len(units) == len(problem.groups)
    chosen, complete = construct(problem, units, k, seed, one_unit_each=one_unit_each)
    rng = random.Random(seed)
    if one_unit_each and complete and not problem.risk:
        # Loads are fixed by the units, so any legal plan is an optimal one, and the
        # seeded matchings already drew it at random: nothing is left to optimise.
        rounds = _rounds(problem, units, chosen)
        objective = sum(rng.randrange(100) for _ in chosen)
        return CampaignPlan(k, rounds, seed, objective, _fixed_bounds(rounds), True, True)
    rm = build(problem, k)
    _hint(rm, chosen)
    # The searches (the round-by-round start did not reach the end, or loads are to be
    # balanced), then the draw among equally good plans, seeded.
    fallback = chosen if complete else None
    if rm.one_unit_each:
        picked, optimal, bounds = _feasible(seed, budget, rm, k, clock), True, None
    else:
        picked, optimal, bounds = _balance(seed, budget, rm, k, fallback, clock)
    _hint(rm, picked)
    costs = {key: rng.randrange(100) for key in sorted(rm.x)}
    # Risk first (the riskiest zones to the strongest groups in the next round), then
    # the draw: the random costs of a whole plan stay below one unit of risk.
    scale = 100 * len(rm.x) + 1
    for key, cost in _risk_costs(problem, rm).items():
        costs[key] += cost * scale
    rm.model.minimize(sum(c * rm.x[key] for key, c in costs.items()))
    draw = clock.note(solve(rm.model, seed, TIE_BREAK_BUDGET, probing=False))
    if draw.found:
        picked = _picked(rm, draw.solver)
    rounds = _rounds(problem, rm.units, picked)
    objective = sum(costs[key] for key in picked)
    bounds = bounds or _fixed_bounds(rounds)
    return CampaignPlan(k, rounds, seed, objective, bounds, optimal, not clock.cut)


def _risk_costs(problem: RotationProblem, rm: RotationModel) -> dict[tuple[str, int, int], int]:
    """For the first round planned: a zone's weight times how much weaker (fewer members)
    the group sent there is than the strongest group."""
    if not problem.risk:
        return {}
    size = {g.group_id: len(g.member_ids) for g in problem.groups}
    strongest = max(size.values())
    first = min(problem.rounds)
    return {
        (g, i, r): problem.risk.get(rm.units[i].zone_id, 0) * (strongest - size[g])
        for (g, i, r) in rm.x
        if r == first and problem.risk.get(rm.units[i].zone_id, 0)
    }


def _feasible(seed: int, budget: float, rm: RotationModel, k: int, clock: _Clock) -> Picked:
    """Any legal plan (loads are fixed)."""
    out = clock.note(solve(rm.model, seed, budget * 0.8))
    if not out.found:
        raise _unplanned(out.status, k)
    return _picked(rm, out.solver)


def _balance(
    seed: int,
    budget: float,
    rm: RotationModel,
    k: int,
    fallback: Picked | None,
    clock: _Clock,
) -> tuple[Picked, bool, Bounds]:
    """Phases 1 and 2; afterwards each round's largest and smallest load are fixed. A
    phase that runs out of time keeps the plan it started from (the round-by-round start
    is a legal plan when it reached the last round) and claims only what was proven."""
    max_loads = list(rm.max_load.values())
    rm.model.minimize(sum(max_loads))
    if fallback is not None and set(_loads(rm, fallback, max).values()) == {rm.load_floor}:
        # The start already meets the floor no plan can go below: proven optimal.
        picked, optimal, hi_bound = fallback, True, rm.load_floor
    elif (out := _search(seed, budget * 0.45, rm, fallback is not None, clock)).found:
        s = out.solver
        picked = _picked(rm, s)
        optimal = out.status == cp_model.OPTIMAL
        hi_bound = max(rm.load_floor, -(-int(s.best_objective_bound) // len(max_loads)))
    elif out.status != cp_model.INFEASIBLE and fallback is not None:
        picked, optimal, hi_bound = fallback, False, rm.load_floor
    else:
        raise _unplanned(out.status, k)
    hi = _loads(rm, picked, max)
    _hint(rm, picked)
    for r, value in hi.items():
        rm.model.add(rm.max_load[r] <= value)
    spreads = [rm.max_load[r] - rm.min_load[r] for r in rm.max_load]
    rm.model.minimize(sum(spreads))
    out = _search(seed, budget * 0.35, rm, True, clock)
    # Whatever the solver proves, no round's smallest load exceeds the average, nor its
    # largest falls below the floor.
    spread_bound = max(0, rm.load_floor - rm.average_load)
    if out.found:
        picked = _picked(rm, out.solver)
        optimal = optimal and out.status == cp_model.OPTIMAL
        proven = -(-int(out.solver.best_objective_bound) // len(spreads))
        spread_bound = max(spread_bound, proven)
    else:
        optimal = False
    lows = _loads(rm, picked, min)
    for r, low in lows.items():
        rm.model.add(rm.min_load[r] >= low)
    spread = max(hi[r] - lows[r] for r in hi)
    return picked, optimal, Bounds(max(hi.values()), hi_bound, spread, spread_bound)


def _search(seed: int, budget: float, rm: RotationModel, hinted: bool, clock: _Clock) -> Outcome:
    """The portfolio search. Starting from a whole plan, probing in presolve (about a
    second on a 60-zone campaign) is skipped: the time goes to improving the plan."""
    return clock.note(solve(rm.model, seed, budget, probing=not hinted))


def _loads(rm: RotationModel, picked: Picked, pick: Callable[[list[int]], int]) -> dict[int, int]:
    """Each round's largest (or smallest) load in places under `picked`."""
    loads: dict[tuple[int, str], int] = {}
    for g, i, r in picked:
        loads[r, g] = loads.get((r, g), 0) + rm.units[i].size
    by_round: dict[int, list[int]] = {}
    for (r, _), load in loads.items():
        by_round.setdefault(r, []).append(load)
    return {r: pick(by_round.get(r, [0])) for r in rm.max_load}


def _picked(rm: RotationModel, s: cp_model.CpSolver) -> Picked:
    return {key for key, v in rm.x.items() if s.boolean_value(v)}


def _unplanned(status: cp_model.CpSolverStatus | int, k: int) -> RotationInfeasible:
    if status == cp_model.INFEASIBLE:
        return RotationInfeasible([Cause("solver_infeasible", {"k": k}, "relax_or_move", {})])
    return RotationInfeasible([Cause("solver_unknown", {}, "relax_or_move", {})])


def _hint(rm: RotationModel, picked: Picked) -> None:
    """Start the next phase from this plan: every variable, loads included, so that the
    solver takes it as a whole solution at once."""
    rm.model.clear_hints()  # type: ignore[no-untyped-call]
    for key, v in rm.x.items():
        rm.model.add_hint(v, key in picked)
    if rm.max_load:
        for r, value in _loads(rm, picked, max).items():
            rm.model.add_hint(rm.max_load[r], value)
        for r, value in _loads(rm, picked, min).items():
            rm.model.add_hint(rm.min_load[r], value)


def _rounds(
    problem: RotationProblem, units: Sequence[WorkUnit], picked: set[tuple[str, int, int]]
) -> tuple[RoundPlan, ...]:
    plans = []
    for r in sorted(problem.rounds):
        assignments = [
            Assignment(g, units[i].zone_id, units[i].site_ids) for (g, i, rr) in picked if rr == r
        ]
        assignments.sort(key=lambda a: (a.group_id, a.zone_id, a.site_ids))
        plans.append(RoundPlan(r, tuple(assignments)))
    return tuple(plans)


def _fixed_bounds(rounds: tuple[RoundPlan, ...]) -> Bounds:
    """One unit per group: the loads are the units' sizes, whatever the assignment, so
    the plan's figures are also the best possible."""
    loads = [plan.loads() for plan in rounds]
    hi = max(max(ld.values()) for ld in loads)
    spread = max(max(ld.values()) - min(ld.values()) for ld in loads)
    return Bounds(hi, hi, spread, spread)
