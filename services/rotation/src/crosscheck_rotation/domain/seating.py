"""A quick first seating of members into groups, used as the solver's starting point and
as the answer when the solver finds nothing better in time: villagers join the group
that already holds people from their village, everyone else fills the smallest group;
nobody joins a group holding someone they are kept apart from, while another has room."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from crosscheck_rotation.domain.model import StaffMember


def _barred(member: StaffMember) -> set[str]:
    found = set(member.conflict_village_ids)
    if member.home_village_id is not None:
        found.add(member.home_village_id)
    return found


def seat(
    leaders: Sequence[StaffMember],
    others: Sequence[StaffMember],
    capacity: Sequence[int],
    apart: Mapping[str, set[str]] | None = None,
) -> list[int]:
    """The group index of each of `others`; group g holds at most capacity[g] people
    (its leader included), and no two people of `apart` share one if it can be helped."""
    apart = apart or {}
    size = [1] * len(leaders)
    barred = [_barred(leader) for leader in leaders]
    people = [{leader.staff_id} for leader in leaders]
    seats = [-1] * len(others)
    order = sorted(
        range(len(others)),
        key=lambda i: (others[i].staff_id not in apart, not _barred(others[i]), i),
    )
    for i in order:
        mine = _barred(others[i])
        free = [g for g in range(len(leaders)) if size[g] < capacity[g]]
        shunned = apart.get(others[i].staff_id, set())
        free = [g for g in free if not people[g] & shunned] or free
        g = min(free, key=lambda g: (len(barred[g] | mine) - len(barred[g]), size[g], g))
        seats[i] = g
        size[g] += 1
        people[g].add(others[i].staff_id)
        barred[g] |= mine
    return seats
