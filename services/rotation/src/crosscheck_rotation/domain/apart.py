"""Officials kept apart: two people who declared a conflict with each other (relatives,
a chain of command) are never in one group. A declaration by either holds both ways."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from crosscheck_rotation.domain.model import Group, StaffMember


def kept_apart(staff: Iterable[StaffMember]) -> dict[str, set[str]]:
    """Staff id -> the ids among `staff` it must not share a group with (symmetric)."""
    people = {s.staff_id: s for s in staff}
    apart: dict[str, set[str]] = {}
    for s in people.values():
        for other in s.conflict_staff_ids:
            if other in people and other != s.staff_id:
                apart.setdefault(s.staff_id, set()).add(other)
                apart.setdefault(other, set()).add(s.staff_id)
    return apart


def together(
    groups: Sequence[Group], staff: Mapping[str, StaffMember]
) -> list[tuple[Group, str, str]]:
    """Every pair kept apart that is nevertheless in one group, as (group, a, b)."""
    apart = kept_apart(staff[m] for g in groups for m in g.member_ids if m in staff)
    found: list[tuple[Group, str, str]] = []
    for g in groups:
        members = sorted(g.member_ids)
        for i, a in enumerate(members):
            found.extend((g, a, b) for b in members[i + 1 :] if b in apart.get(a, ()))
    return found
