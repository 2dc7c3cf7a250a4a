"""CP-SAT settings shared by formation and planning: reproducible from a seed."""

from __future__ import annotations

from ortools.sat.python import cp_model

WORKERS = 2
"""Search workers: the service and the benchmark run on two cores."""


def solver(seed: int, time_limit: float, *, workers: int = WORKERS) -> cp_model.CpSolver:
    """A solver whose random choices come from `seed` (CP-SAT takes a 31-bit seed)."""
    s = cp_model.CpSolver()
    s.parameters.random_seed = seed % (2**31 - 1)
    s.parameters.num_workers = workers
    s.parameters.max_time_in_seconds = time_limit
    return s


def found(status: cp_model.CpSolverStatus | int) -> bool:
    return status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
