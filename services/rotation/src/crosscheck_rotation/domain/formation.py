"""Group formation: split the active staff into groups led by one leadership member
each, sizes differing by at most one, placing members so that every group may enter as
many zones as possible (people of the same village together), units spread out second.
Officials kept apart (declared relatives, a chain of command) are never in one group.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from crosscheck_rotation.domain.apart import kept_apart
from crosscheck_rotation.domain.causes import Cause, RotationInfeasible, names
from crosscheck_rotation.domain.cpsat import cp_model
from crosscheck_rotation.domain.model import Group, StaffMember, Zone
from crosscheck_rotation.domain.recusal import member_may_enter
from crosscheck_rotation.domain.seating import seat
from crosscheck_rotation.domain.solver import solve

FORMATION_BUDGET = 2.0
"""Deterministic time (about seconds of one core) of the seating search, per lane."""


def choose_leaders(
    staff: Sequence[StaffMember], zones: Sequence[Zone], groups: int, rng: random.Random
) -> list[StaffMember]:
    """Leadership members barred from the fewest zones lead; ties are drawn at random."""
    leadership = [s for s in staff if s.is_leadership]
    rng.shuffle(leadership)
    leadership.sort(key=lambda s: sum(not member_may_enter(s, z) for z in zones))
    return leadership[:groups]


def form_groups(
    staff: Sequence[StaffMember],
    zones: Sequence[Zone],
    groups: int,
    seed: int,
    *,
    budget: float = FORMATION_BUDGET,
) -> list[Group]:
    leaders_available = sum(s.is_leadership for s in staff)
    if leaders_available < groups:
        raise RotationInfeasible(
            [
                Cause(
                    "too_few_leaders",
                    {"groups": groups, "leaders": leaders_available},
                    "fewer_groups",
                    {},
                )
            ]
        )
    rng = random.Random(seed)
    leaders = choose_leaders(staff, zones, groups, rng)
    chosen = {s.staff_id for s in leaders}
    others = [s for s in staff if s.staff_id not in chosen]
    rng.shuffle(others)
    low, high = len(staff) // groups, -(-len(staff) // groups)
    # Exactly len(staff) % groups groups get one more member: the first ones here; the
    # solver may move people, but sizes stay within [low, high].
    capacity = [high if g < len(staff) % groups or low == high else low for g in range(groups)]
    apart = kept_apart(staff)
    first = seat(leaders, others, capacity, apart)

    model = cp_model.CpModel()
    y = {(s.staff_id, g): model.new_bool_var("") for s in others for g in range(groups)}
    for s, g0 in zip(others, first, strict=True):
        model.add_exactly_one(y[s.staff_id, g] for g in range(groups))
        for g in range(groups):
            model.add_hint(y[s.staff_id, g], g == g0)
    for g in range(groups):
        size = 1 + sum(y[s.staff_id, g] for s in others)
        model.add_linear_constraint(size, low, high)
    _keep_apart(model, y, leaders, others, apart, groups)
    open_ = {}
    for g, leader in enumerate(leaders):
        for z in zones:
            if not member_may_enter(leader, z):
                continue
            o = open_[g, z.zone_id] = model.new_bool_var("")
            for s in others:
                if not member_may_enter(s, z):
                    model.add_implication(o, y[s.staff_id, g].Not())
    per_group = [sum(open_.get((g, z.zone_id), 0) for z in zones) for g in range(groups)]
    per_zone = [sum(open_.get((g, z.zone_id), 0) for g in range(groups)) for z in zones]
    worst_group, worst_zone = model.new_int_var(0, len(zones), ""), model.new_int_var(0, groups, "")
    model.add_min_equality(worst_group, per_group)
    model.add_min_equality(worst_zone, per_zone)
    spread = _unit_excess(model, y, others, groups)
    total = len(zones) * groups
    model.maximize(
        (worst_group + worst_zone) * (total + 1) * (len(others) + 1)
        + sum(open_.values()) * (len(others) + 1)
        - spread
    )
    out = solve(model, seed, budget)
    if out.found:
        first = [
            next(g for g in range(groups) if out.solver.boolean_value(y[m.staff_id, g]))
            for m in others
        ]
    else:
        _must_be_apart(leaders, others, first, apart, {s.staff_id: s for s in staff})
    return [
        Group(
            group_id=f"g{g + 1}",
            name=f"第{g + 1}组",
            leader_id=leader.staff_id,
            member_ids=(
                leader.staff_id,
                *sorted(m.staff_id for m, seat_ in zip(others, first, strict=True) if seat_ == g),
            ),
        )
        for g, leader in enumerate(leaders)
    ]


def _keep_apart(
    model: cp_model.CpModel,
    y: dict[tuple[str, int], cp_model.IntVar],
    leaders: Sequence[StaffMember],
    others: Sequence[StaffMember],
    apart: dict[str, set[str]],
    groups: int,
) -> None:
    led = {leader.staff_id: g for g, leader in enumerate(leaders)}
    placed = {s.staff_id for s in others}
    for a in sorted(placed & apart.keys()):
        for b in sorted(apart[a]):
            if b in led:
                model.add(y[a, led[b]] == 0)
            elif a < b and b in placed:
                for g in range(groups):
                    model.add_at_most_one(y[a, g], y[b, g])


def _must_be_apart(
    leaders: Sequence[StaffMember],
    others: Sequence[StaffMember],
    seats: Sequence[int],
    apart: dict[str, set[str]],
    staff: dict[str, StaffMember],
) -> None:
    """The quick seating is the answer when the search found none: refuse it if it puts
    two people kept apart together (the search found no way to part them)."""
    members: list[set[str]] = [{leader.staff_id} for leader in leaders]
    for s, g in zip(others, seats, strict=True):
        members[g].add(s.staff_id)
    stuck = {a for group in members for a in group if apart.get(a, set()) & group}
    # Everyone linked to them by declarations: the set that could not be parted.
    unvisited = list(stuck)
    while unvisited:
        for b in apart.get(unvisited.pop(), set()) - stuck:
            stuck.add(b)
            unvisited.append(b)
    if stuck:
        raise RotationInfeasible(
            [
                Cause(
                    "staff_conflict_unseatable",
                    {
                        "members": names(sorted(staff[a].label for a in stuck)),
                        "groups": len(leaders),
                    },
                    "check_declared_pairs",
                    {},
                )
            ]
        )


def _unit_excess(
    model: cp_model.CpModel,
    y: dict[tuple[str, int], cp_model.IntVar],
    others: Sequence[StaffMember],
    groups: int,
) -> cp_model.LinearExpr:
    """How far units are from being spread evenly: members above ceil(unit size/groups)."""
    by_unit: dict[str, list[str]] = {}
    for s in others:
        by_unit.setdefault(s.unit, []).append(s.staff_id)
    excess: list[cp_model.IntVar] = []
    for members in by_unit.values():
        cap = -(-len(members) // groups)
        for g in range(groups):
            e = model.new_int_var(0, len(members), "")
            model.add(e >= sum(y[m, g] for m in members) - cap)
            excess.append(e)
    return cp_model.LinearExpr.sum(excess)
