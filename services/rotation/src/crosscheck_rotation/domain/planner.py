"""The campaign planner: all rounds together, after the fast pre-check.

A seeded round-by-round start (bipartite matchings, `warmstart`) comes first. With more
groups than zones every group takes one unit whose size is fixed by the split, so every
legal plan is optimal: when the start reaches the last round it is the plan, drawn at
random by its seed (双随机) yet reproducibly. Otherwise CP-SAT plans all rounds together
from that start, in lexicographic phases with proven bounds: (1) the largest workload of
each round, (2) the spread of each round given (1), (3) a random tie-break drawn from the
seed, so equally good plans are chosen at random. Those searches run on two workers
within the time limit, so such a plan is reproducible from its seed only when they end
proven; it is audited from its recorded event (the checker), not by solving again.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence

from ortools.sat.python import cp_model

from crosscheck_rotation.domain.causes import Cause, RotationInfeasible
from crosscheck_rotation.domain.model import (
    Assignment,
    Bounds,
    CampaignPlan,
    RotationProblem,
    RoundPlan,
)
from crosscheck_rotation.domain.precheck import largest_passing_k, precheck
from crosscheck_rotation.domain.rotation_model import RotationModel, build
from crosscheck_rotation.domain.solver import found, solver
from crosscheck_rotation.domain.warmstart import construct
from crosscheck_rotation.domain.zoning import WorkUnit, work_units

TIE_BREAK_BUDGET = 0.1
"""Deterministic time (about seconds) spent drawing among equally good plans."""
FEASIBILITY_BUDGET = 1.0
"""Deterministic time for a one-worker search for any legal plan, before two workers."""
TIE_BREAK_SECONDS = 1.0
"""And at most this much wall time: on a large campaign presolve alone may take it."""


def plan_campaign(
    problem: RotationProblem,
    no_repeat_within: int | None,
    seed: int,
    *,
    time_limit: float = 10.0,
) -> CampaignPlan:
    """Plan `problem.rounds`; K = None means the largest K that stays feasible."""
    if no_repeat_within is not None:
        causes = precheck(problem, no_repeat_within)
        if causes:
            raise RotationInfeasible(causes)
        return _solve(problem, no_repeat_within, seed, time_limit)
    k = largest_passing_k(problem)
    if k is None:
        raise RotationInfeasible(precheck(problem, 1))
    while True:
        try:
            return _solve(problem, k, seed, time_limit)
        except RotationInfeasible:
            if k == 1:
                raise
            k -= 1


Picked = set[tuple[str, int, int]]


class _Budget:
    """The solve's wall-time budget, shared out among the phases that remain."""

    def __init__(self, seconds: float) -> None:
        self.until = time.monotonic() + seconds

    def share(self, part: float) -> float:
        return max(0.05, (self.until - time.monotonic()) * part)


def _solve(problem: RotationProblem, k: int, seed: int, time_limit: float) -> CampaignPlan:
    budget = _Budget(time_limit)
    units = work_units(problem.zones, len(problem.groups))
    one_unit_each = len(units) == len(problem.groups)
    chosen, complete = construct(problem, units, k, seed, one_unit_each=one_unit_each)
    rng = random.Random(seed)
    if one_unit_each and complete:
        # Loads are fixed by the units, so any legal plan is an optimal one, and the
        # seeded matchings already drew it at random: nothing is left to optimise.
        rounds = _rounds(problem, units, chosen)
        objective = sum(rng.randrange(100) for _ in chosen)
        return CampaignPlan(k, rounds, seed, objective, _fixed_bounds(rounds), True)
    rm = build(problem, k)
    _hint(rm, chosen)
    # The first searches run on every worker (the round-by-round start did not reach the
    # end, or loads are to be balanced); the draw among equally good plans afterwards
    # runs on one worker, seeded, within a deterministic budget.
    fallback = chosen if complete else None
    if rm.one_unit_each:
        picked, optimal, bounds = _feasible(seed, budget, rm, k), True, None
    else:
        picked, optimal, bounds = _balance(seed, budget, rm, k, fallback)
    _hint(rm, picked)
    costs = {key: rng.randrange(100) for key in sorted(rm.x)}
    rm.model.minimize(sum(c * rm.x[key] for key, c in costs.items()))
    draw = solver(seed, min(budget.share(1.0), TIE_BREAK_SECONDS), workers=1)
    draw.parameters.max_deterministic_time = TIE_BREAK_BUDGET
    if found(draw.solve(rm.model)):
        picked = _picked(rm, draw)
    rounds = _rounds(problem, rm.units, picked)
    objective = sum(costs[key] for key in picked)
    return CampaignPlan(k, rounds, seed, objective, bounds or _fixed_bounds(rounds), optimal)


def _feasible(seed: int, budget: _Budget, rm: RotationModel, k: int) -> Picked:
    """Any legal plan (loads are fixed): first on one worker within a deterministic
    budget, so the seed alone decides it; on both workers only if that runs out."""
    s = solver(seed, budget.share(0.5), workers=1)
    s.parameters.max_deterministic_time = FEASIBILITY_BUDGET
    status = s.solve(rm.model)
    if status == cp_model.INFEASIBLE:
        raise _unplanned(status, k)
    if not found(status):
        s = solver(seed, budget.share(0.8))
        _run(s, rm, k)
    return _picked(rm, s)


def _balance(
    seed: int, budget: _Budget, rm: RotationModel, k: int, fallback: Picked | None
) -> tuple[Picked, bool, Bounds]:
    """Phases 1 and 2; afterwards each round's largest and smallest load are fixed. A
    phase that runs out of time keeps the plan it started from (the round-by-round start
    is a legal plan when it reached the last round) and claims only what was proven."""
    max_loads = list(rm.max_load.values())
    rm.model.minimize(sum(max_loads))
    s = _searcher(seed, budget.share(0.45), hinted=fallback is not None)
    if fallback is not None and set(_loads(rm, fallback, max).values()) == {rm.load_floor}:
        # The start already meets the floor no plan can go below: proven optimal.
        status = cp_model.OPTIMAL
        picked, optimal, hi_bound = fallback, True, rm.load_floor
    elif found(status := s.solve(rm.model)):
        picked = _picked(rm, s)
        optimal = status == cp_model.OPTIMAL
        hi_bound = max(rm.load_floor, -(-int(s.best_objective_bound) // len(max_loads)))
    elif status != cp_model.INFEASIBLE and fallback is not None:
        picked, optimal, hi_bound = fallback, False, rm.load_floor
    else:
        raise _unplanned(status, k)
    hi = _loads(rm, picked, max)
    _hint(rm, picked)
    for r, value in hi.items():
        rm.model.add(rm.max_load[r] <= value)
    spreads = [rm.max_load[r] - rm.min_load[r] for r in rm.max_load]
    rm.model.minimize(sum(spreads))
    s = _searcher(seed, budget.share(0.6), hinted=True)
    status = s.solve(rm.model)
    # Whatever the solver proves, no round's smallest load exceeds the average, nor its
    # largest falls below the floor.
    spread_bound = max(0, rm.load_floor - rm.average_load)
    if found(status):
        picked = _picked(rm, s)
        optimal = optimal and status == cp_model.OPTIMAL
        proven = -(-int(s.best_objective_bound) // len(spreads))
        spread_bound = max(spread_bound, proven)
    else:
        optimal = False
    lows = _loads(rm, picked, min)
    for r, low in lows.items():
        rm.model.add(rm.min_load[r] >= low)
    spread = max(hi[r] - lows[r] for r in hi)
    return picked, optimal, Bounds(max(hi.values()), hi_bound, spread, spread_bound)


def _searcher(seed: int, seconds: float, *, hinted: bool) -> cp_model.CpSolver:
    """A search on every worker. Starting from a whole plan, probing in presolve (about
    a second on a 60-zone campaign) is skipped: the time goes to improving the plan."""
    s = solver(seed, seconds)
    if hinted:
        s.parameters.cp_model_probing_level = 0
    return s


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


def _run(s: cp_model.CpSolver, rm: RotationModel, k: int) -> int:
    status = s.solve(rm.model)
    if not found(status):
        raise _unplanned(status, k)
    return int(status)


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
