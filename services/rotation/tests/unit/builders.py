"""Small hand-made rosters for unit tests."""

from __future__ import annotations

from crosscheck_rotation.domain.model import Group, RotationProblem, StaffMember, Zone


def zone(village: str, *sites: str) -> Zone:
    return Zone(village, f"{village}村", village, tuple(sites) or (f"{village}-p1",))


def member(staff_id: str, home: str | None = None, *, leader: bool = False) -> StaffMember:
    return StaffMember(staff_id, "应急办", leader, home)


def problem(
    groups: dict[str, list[StaffMember]], zones: list[Zone], rounds: int
) -> RotationProblem:
    staff = {m.staff_id: m for ms in groups.values() for m in ms}
    built = [
        Group(gid, gid, ms[0].staff_id, tuple(m.staff_id for m in ms)) for gid, ms in groups.items()
    ]
    return RotationProblem(staff, built, zones, tuple(range(1, rounds + 1)))
