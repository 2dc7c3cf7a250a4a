"""A seeded first plan, round after round, each round an assignment found by bipartite
matching (augmenting paths) over the groups and work units it allows: recusal, and no
zone seen in the last K rounds. It is the CP-SAT search's starting point, not the
planner: round-by-round choices can leave a later round with no legal assignment, and
then the solver plans from scratch (the hint covers the rounds built so far).

Deterministic for a seed, so a plan that starts from it is reproducible even where the
solver's own search runs on several workers.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from crosscheck_rotation.domain.model import RotationProblem
from crosscheck_rotation.domain.recusal import eligibility
from crosscheck_rotation.domain.zoning import WorkUnit

Key = tuple[str, int, int]


def construct(
    problem: RotationProblem, units: Sequence[WorkUnit], k: int, seed: int, *, one_unit_each: bool
) -> tuple[set[Key], bool]:
    """The chosen (group, unit, round) triples and whether every round was built."""
    rng = random.Random(seed)
    groups = [g.group_id for g in problem.groups]
    elig = eligibility(problem.groups, problem.zones, problem.staff)
    last_seen: dict[tuple[str, str], int] = {}
    for plan in problem.history:
        for a in plan.assignments:
            key = (a.group_id, a.zone_id)
            last_seen[key] = max(last_seen.get(key, plan.round_no), plan.round_no)
    chosen: set[Key] = set()
    for r in sorted(problem.rounds):
        allowed = {
            g: [
                i
                for i, u in enumerate(units)
                if u.zone_id in elig[g] and r - last_seen.get((g, u.zone_id), r - k - 1) > k
            ]
            for g in groups
        }
        picked = _one_round(groups, allowed, units, rng, one_unit_each=one_unit_each)
        if picked is None:
            return chosen, False
        for g, i in picked:
            chosen.add((g, i, r))
            last_seen[g, units[i].zone_id] = r
    return chosen, True


def _one_round(
    groups: list[str],
    allowed: dict[str, list[int]],
    units: Sequence[WorkUnit],
    rng: random.Random,
    *,
    one_unit_each: bool,
) -> list[tuple[str, int]] | None:
    order = list(groups)
    rng.shuffle(order)
    for g in order:
        rng.shuffle(allowed[g])
    owner = _matching(order, allowed)
    if owner is None:
        return None
    if one_unit_each:
        return [(g, i) for i, g in owner.items()] if len(owner) == len(units) else None
    # Longest processing time first: each group takes one of the largest units if they
    # can be matched so, the remaining (smaller) units then go one by one.
    largest = set(sorted(range(len(units)), key=lambda i: -units[i].size)[: len(groups)])
    first = _matching(order, {g: [i for i in allowed[g] if i in largest] for g in order})
    owner = first or owner
    picked = [(g, i) for i, g in owner.items()]
    # Fewer groups than units: every group has one; the rest go, largest first, to the
    # least loaded group allowed there that holds no other share of the same zone.
    load = {g: 0 for g in groups}
    zones = {g: set() for g in groups}  # type: dict[str, set[str]]
    for g, i in picked:
        load[g] += units[i].size
        zones[g].add(units[i].zone_id)
    rest = sorted((i for i in range(len(units)) if i not in owner), key=lambda i: -units[i].size)
    able_of = {i: [g for g in order if i in set(allowed[g])] for i in rest}
    for i in rest:
        able = [g for g in able_of[i] if units[i].zone_id not in zones[g]]
        if not able:
            return None
        g = min(able, key=lambda g: load[g])
        picked.append((g, i))
        load[g] += units[i].size
        zones[g].add(units[i].zone_id)
    return picked


def _matching(order: list[str], allowed: dict[str, list[int]]) -> dict[int, str] | None:
    """Unit -> group, every group matched to one unit it is allowed; None if impossible."""
    owner: dict[int, str] = {}
    for g in order:
        if not _augment(g, allowed, owner, set()):
            return None
    return owner


def _augment(g: str, allowed: dict[str, list[int]], owner: dict[int, str], seen: set[int]) -> bool:
    """Kuhn's augmenting path: give `g` a unit, moving other groups along if needed."""
    for i in allowed[g]:
        if i in seen:
            continue
        seen.add(i)
        if i not in owner or _augment(owner[i], allowed, owner, seen):
            owner[i] = g
            return True
    return False
