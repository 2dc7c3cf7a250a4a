"""The CP-SAT model of a campaign's rounds, all planned together: x[g, u, r] says group g
inspects work unit u in round r. Recusal and recent visits are left out by not creating
the variable at all; coverage, one-unit-per-group and the no-repeat windows are
constraints; each round's loads get valid bounds so the solver can prove optima fast."""

from __future__ import annotations

from dataclasses import dataclass, field

from crosscheck_rotation.domain.cpsat import cp_model
from crosscheck_rotation.domain.model import RotationProblem
from crosscheck_rotation.domain.recusal import eligibility
from crosscheck_rotation.domain.rotation import recent_zones
from crosscheck_rotation.domain.zoning import WorkUnit, work_units

Key = tuple[str, int, int]  # group id, unit index, round


@dataclass
class RotationModel:
    model: cp_model.CpModel
    units: list[WorkUnit]
    x: dict[Key, cp_model.IntVar]
    one_unit_each: bool
    """More groups than zones (units split to match): each group takes exactly one unit."""
    max_load: dict[int, cp_model.IntVar] = field(default_factory=dict)
    min_load: dict[int, cp_model.IntVar] = field(default_factory=dict)
    load_floor: int = 0
    """No plan can give any round a largest workload below this (places)."""
    average_load: int = 0
    """Places per group, rounded down: no round's smallest workload is above it."""


def build(problem: RotationProblem, no_repeat_within: int) -> RotationModel:
    groups = [g.group_id for g in problem.groups]
    units = work_units(problem.zones, len(groups))
    elig = eligibility(problem.groups, problem.zones, problem.staff)
    model = cp_model.CpModel()
    x: dict[Key, cp_model.IntVar] = {}
    for r in problem.rounds:
        for g in groups:
            barred = recent_zones(g, r, problem.history, no_repeat_within)
            for i, u in enumerate(units):
                if u.zone_id in elig[g] and u.zone_id not in barred:
                    x[g, i, r] = model.new_bool_var(f"x_{g}_{i}_{r}")
    rm = RotationModel(model, units, x, one_unit_each=len(units) == len(groups))
    for r in problem.rounds:
        for i in range(len(units)):
            model.add_exactly_one(x[g, i, r] for g in groups if (g, i, r) in x)
        for g in groups:
            mine = [x[g, i, r] for i in range(len(units)) if (g, i, r) in x]
            if rm.one_unit_each:
                model.add_exactly_one(mine)
            else:
                model.add_bool_or(mine)
    _no_repeat(problem, rm, groups, no_repeat_within)
    if not rm.one_unit_each:
        _loads(problem, rm, groups)
    return rm


def _no_repeat(problem: RotationProblem, rm: RotationModel, groups: list[str], k: int) -> None:
    """A group is in a zone at most once in any K + 1 consecutive rounds (and at most
    once per round, so it never takes two shares of one split zone)."""
    rounds = sorted(problem.rounds)
    parts: dict[str, list[int]] = {}
    for i, u in enumerate(rm.units):
        parts.setdefault(u.zone_id, []).append(i)
    for g in groups:
        for indices in parts.values():
            for start in rounds:
                window = [
                    rm.x[g, i, r]
                    for r in rounds
                    if start <= r <= start + k
                    for i in indices
                    if (g, i, r) in rm.x
                ]
                if len(window) > 1:
                    rm.model.add_at_most_one(window)
                if start + k >= rounds[-1]:
                    break


def _loads(problem: RotationProblem, rm: RotationModel, groups: list[str]) -> None:
    sizes = [u.size for u in rm.units]
    total = sum(sizes)
    # Valid bounds: someone carries at least the average and the largest unit; nobody
    # carries less than the smallest unit, nor more than the rest leave room for.
    floor = max(-(-total // len(groups)), max(sizes))
    ceiling = total - (len(groups) - 1) * min(sizes)
    rm.load_floor = floor
    rm.average_load = total // len(groups)
    by_group_round: dict[tuple[str, int], list[cp_model.LinearExprT]] = {}
    for (g, i, r), v in rm.x.items():
        by_group_round.setdefault((g, r), []).append(sizes[i] * v)
    for r in problem.rounds:
        hi = rm.max_load[r] = rm.model.new_int_var(floor, ceiling, f"max_{r}")
        lo = rm.min_load[r] = rm.model.new_int_var(min(sizes), total // len(groups), f"min_{r}")
        for g in groups:
            load = sum(by_group_round.get((g, r), []))
            rm.model.add(load <= hi)
            rm.model.add(load >= lo)
