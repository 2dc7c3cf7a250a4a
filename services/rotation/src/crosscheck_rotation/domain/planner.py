"""The campaign planner: all rounds together with CP-SAT, after the fast pre-check.

Lexicographic phases, each with proven bounds: (1) the largest workload of each round,
(2) the spread of each round given (1), (3) a random tie-break drawn from the seed, so
equally good plans are chosen at random (双随机) yet reproducibly. With more groups than
zones every group takes one unit whose size is fixed by the split, so (1) and (2) are
already optimal and only (3) runs.
"""

from __future__ import annotations

import random

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

TIE_BREAK_BUDGET = 0.1
"""Deterministic time (about seconds) spent drawing among equally good plans."""


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


def _solve(problem: RotationProblem, k: int, seed: int, time_limit: float) -> CampaignPlan:
    rm = build(problem, k)
    if rm.one_unit_each:
        # Loads are fixed by the units: a plain feasibility search, on one worker so that
        # the seed alone decides the result.
        s = solver(seed, time_limit, workers=1)
        _run(s, rm, k)
        optimal, bounds = True, None
    else:
        s = solver(seed, time_limit)
        optimal, bounds = _balance(s, rm, k)
    _fix(rm, s)
    rng = random.Random(seed)
    costs = {key: rng.randrange(100) for key in sorted(rm.x)}
    rm.model.minimize(sum(c * rm.x[key] for key, c in costs.items()))
    draw = solver(seed, time_limit, workers=1)
    draw.parameters.max_deterministic_time = TIE_BREAK_BUDGET
    if found(draw.solve(rm.model)):
        s = draw
    rounds = _extract(problem, rm, s)
    objective = sum(c for key, c in costs.items() if s.boolean_value(rm.x[key]))
    return CampaignPlan(k, rounds, seed, objective, bounds or _fixed_bounds(rounds), optimal)


def _balance(s: cp_model.CpSolver, rm: RotationModel, k: int) -> tuple[bool, Bounds]:
    """Phases 1 and 2; afterwards each round's largest and smallest load are fixed."""
    max_loads = list(rm.max_load.values())
    rm.model.minimize(sum(max_loads))
    optimal = _run(s, rm, k) == cp_model.OPTIMAL
    hi = {r: s.value(v) for r, v in rm.max_load.items()}
    hi_bound = max(rm.load_floor, -(-int(s.best_objective_bound) // len(max_loads)))
    _fix(rm, s)
    for r, value in hi.items():
        rm.model.add(rm.max_load[r] <= value)
    spreads = [rm.max_load[r] - rm.min_load[r] for r in rm.max_load]
    rm.model.minimize(sum(spreads))
    optimal = _run(s, rm, k) == cp_model.OPTIMAL and optimal
    spread_bound = max(0, -(-int(s.best_objective_bound) // len(spreads)))
    lows = {r: s.value(v) for r, v in rm.min_load.items()}
    for r, low in lows.items():
        rm.model.add(rm.min_load[r] >= low)
    spread = max(hi[r] - lows[r] for r in hi)
    return optimal, Bounds(max(hi.values()), hi_bound, spread, spread_bound)


def _run(s: cp_model.CpSolver, rm: RotationModel, k: int) -> int:
    status = s.solve(rm.model)
    if status == cp_model.INFEASIBLE:
        raise RotationInfeasible([Cause("solver_infeasible", {"k": k}, "relax_or_move", {})])
    if not found(status):
        raise RotationInfeasible([Cause("solver_unknown", {}, "relax_or_move", {})])
    return int(status)


def _fix(rm: RotationModel, s: cp_model.CpSolver) -> None:
    """Start the next phase from this solution."""
    rm.model.clear_hints()  # type: ignore[no-untyped-call]
    for v in rm.x.values():
        rm.model.add_hint(v, s.boolean_value(v))


def _extract(
    problem: RotationProblem, rm: RotationModel, s: cp_model.CpSolver
) -> tuple[RoundPlan, ...]:
    plans = []
    for r in sorted(problem.rounds):
        assignments = [
            Assignment(g, rm.units[i].zone_id, rm.units[i].site_ids)
            for (g, i, rr), v in rm.x.items()
            if rr == r and s.boolean_value(v)
        ]
        assignments.sort(key=lambda a: (a.group_id, a.zone_id))
        plans.append(RoundPlan(r, tuple(assignments)))
    return tuple(plans)


def _fixed_bounds(rounds: tuple[RoundPlan, ...]) -> Bounds:
    """One unit per group: the loads are the units' sizes, whatever the assignment, so
    the plan's figures are also the best possible."""
    loads = [plan.loads() for plan in rounds]
    hi = max(max(ld.values()) for ld in loads)
    spread = max(max(ld.values()) - min(ld.values()) for ld in loads)
    return Bounds(hi, hi, spread, spread)
