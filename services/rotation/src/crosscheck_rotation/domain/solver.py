"""CP-SAT settings shared by formation and planning: the answer depends on the inputs and
the seed only, never on the machine's cores or its speed.

A search is a fixed portfolio of LANES single-worker CP-SAT runs (seeds derived from the
draw's seed), each stopped by a *deterministic* time budget (CP-SAT's work count, the
same on any machine), run side by side on as many threads as `workers` allows (CP-SAT
releases the GIL). The answer is the best lane's, ties to the lowest lane: so 1, 2 or 8
workers give the same plan, only sooner. A wall-clock ceiling stays as a safety net
(WALL_FACTOR times the budget, in seconds); a lane it stops is reported, and the plan
then says it may not be reproducible.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from crosscheck_rotation.domain.cpsat import cp_model

LANES = 2
"""Searches per solve; fixed, whatever the machine, so the answer does not depend on it."""
WORKERS = 2
"""Threads the lanes run on by default: the service and the benchmark run on two cores."""
WALL_FACTOR = 60.0
"""Seconds of wall time allowed per unit of deterministic time before a lane is cut. A
unit took nearly twenty seconds of wall time on two cores shared by a
dozen processes: the net must sit well above that, or a busy machine would give up
reproducibility for a plan that was going to finish anyway."""
WALL_FLOOR_S = 10.0
"""The net never closes sooner than this, for the small budgets of small townships."""


def default_workers() -> int:
    """CROSSCHECK_ROTATION_WORKERS, else WORKERS: how many lanes run at once (speed only)."""
    return max(1, int(os.environ.get("CROSSCHECK_ROTATION_WORKERS", WORKERS)))


def solver(seed: int, budget: float, *, lane: int = 0) -> cp_model.CpSolver:
    """One single-worker search whose choices come from `seed` and `lane` (CP-SAT takes a
    31-bit seed), stopped after `budget` units of deterministic time."""
    s = cp_model.CpSolver()
    s.parameters.random_seed = (seed + 7919 * lane) % (2**31 - 1)
    s.parameters.num_workers = 1
    s.parameters.max_deterministic_time = budget
    s.parameters.max_time_in_seconds = max(WALL_FLOOR_S, budget * WALL_FACTOR)
    return s


@dataclass
class Outcome:
    """The lane whose answer is kept, its status, and whether the wall clock (not the
    deterministic budget) stopped any lane: then another machine may answer otherwise."""

    solver: cp_model.CpSolver
    status: int
    cut_by_clock: bool

    @property
    def found(self) -> bool:
        return found(self.status)

    @property
    def proven(self) -> bool:
        return self.status in (cp_model.OPTIMAL, cp_model.INFEASIBLE)


def solve(
    model: cp_model.CpModel,
    seed: int,
    budget: float,
    *,
    lanes: int = LANES,
    workers: int | None = None,
    probing: bool = True,
) -> Outcome:
    """Run the portfolio; keep the best lane (proven first, then the best objective,
    then the lowest lane)."""
    runs = [solver(seed, budget, lane=n) for n in range(lanes)]
    for s in runs:
        if not probing:
            s.parameters.cp_model_probing_level = 0
    threads = min(lanes, workers or default_workers())
    if threads <= 1:
        statuses = [int(s.solve(model)) for s in runs]
    else:
        with ThreadPoolExecutor(max_workers=threads) as pool:
            statuses = list(pool.map(lambda s: int(s.solve(model)), runs))
    cut = any(_cut_by_clock(s, st) for s, st in zip(runs, statuses, strict=True))
    best = _best(model, runs, statuses)
    return Outcome(runs[best], statuses[best], cut)


def _best(model: cp_model.CpModel, runs: Sequence[cp_model.CpSolver], statuses: list[int]) -> int:
    if int(cp_model.INFEASIBLE) in statuses:
        return statuses.index(int(cp_model.INFEASIBLE))
    sense = -1 if model.proto.objective.scaling_factor < 0 else 1

    def key(n: int) -> tuple[int, int, float, int]:
        if not found(statuses[n]):
            return (1, 1, 0.0, n)
        value = runs[n].objective_value * sense if model.has_objective() else 0.0
        return (0, int(statuses[n] != cp_model.OPTIMAL), value, n)

    return min(range(len(runs)), key=key)


def _cut_by_clock(s: cp_model.CpSolver, status: int) -> bool:
    if status in (cp_model.OPTIMAL, cp_model.INFEASIBLE):
        return False
    return s.wall_time >= s.parameters.max_time_in_seconds * 0.98


def found(status: cp_model.CpSolverStatus | int) -> bool:
    return status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
