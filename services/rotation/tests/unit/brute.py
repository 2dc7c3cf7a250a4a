"""Brute force for small rotation problems, written from the rules' wording only: the
yardstick for the solver's "infeasible" and for the default K."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from crosscheck_rotation.domain.model import RotationProblem, Zone
from crosscheck_rotation.domain.zoning import WorkUnit, work_units


def _may_enter(problem: RotationProblem, group_id: str, zone: Zone) -> bool:
    group = next(g for g in problem.groups if g.group_id == group_id)
    for m in group.member_ids:
        s = problem.staff[m]
        if s.home_village_id == zone.village_id or zone.village_id in s.conflict_village_ids:
            return False
        if s.conflict_site_ids & set(zone.site_ids):
            return False
    return True


def _rounds(problem: RotationProblem, units: list[WorkUnit]) -> Iterator[tuple[str, ...]]:
    """Every way to give each unit one group such that every group works."""
    gids = [g.group_id for g in problem.groups]
    for owners in itertools.product(gids, repeat=len(units)):
        counts = [owners.count(g) for g in gids]
        if min(counts) == 0 or (len(units) == len(gids) and max(counts) > 1):
            continue
        yield owners


def feasible(problem: RotationProblem, k: int) -> bool:
    units = work_units(problem.zones, len(problem.groups))
    if len(units) < len(problem.groups):
        return False
    zones = {z.zone_id: z for z in problem.zones}
    legal = [
        owners
        for owners in _rounds(problem, units)
        if all(_may_enter(problem, g, zones[u.zone_id]) for g, u in zip(owners, units, strict=True))
    ]
    past = [
        (plan.round_no, [(a.group_id, a.zone_id) for a in plan.assignments])
        for plan in problem.history
    ]
    rounds = sorted(problem.rounds)

    def visits(owners: tuple[str, ...]) -> list[tuple[str, str]]:
        return [(g, u.zone_id) for g, u in zip(owners, units, strict=True)]

    def search(index: int, done: list[tuple[int, list[tuple[str, str]]]]) -> bool:
        if index == len(rounds):
            return True
        r = rounds[index]
        recent: set[tuple[str, str]] = set()
        for rr, vs in [*past, *done]:
            if 0 < r - rr <= k:
                recent |= set(vs)
        for owners in legal:
            vs = visits(owners)
            if len(set(vs)) < len(vs) or recent & set(vs):
                continue
            if search(index + 1, [*done, (r, vs)]):
                return True
        return False

    return search(0, [])
