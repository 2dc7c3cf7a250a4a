"""The recusal rule (回避): a group may not enter a zone where any member lives, or with
whose village or places any member declared a conflict."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from crosscheck_rotation.domain.model import Group, StaffMember, Zone


@dataclass(frozen=True)
class Recusal:
    """Why one member may not enter one zone."""

    staff_id: str
    zone_id: str
    reason: str
    """home_village, conflict_village or conflict_site."""


def member_recusals(member: StaffMember, zone: Zone) -> list[Recusal]:
    found: list[Recusal] = []
    if member.home_village_id == zone.village_id:
        found.append(Recusal(member.staff_id, zone.zone_id, "home_village"))
    if zone.village_id in member.conflict_village_ids:
        found.append(Recusal(member.staff_id, zone.zone_id, "conflict_village"))
    if member.conflict_site_ids.intersection(zone.site_ids):
        found.append(Recusal(member.staff_id, zone.zone_id, "conflict_site"))
    return found


def member_may_enter(member: StaffMember, zone: Zone) -> bool:
    return not member_recusals(member, zone)


def group_recusals(group: Group, zone: Zone, staff: Mapping[str, StaffMember]) -> list[Recusal]:
    return [r for m in group.member_ids for r in member_recusals(staff[m], zone)]


def eligible_zones(
    group: Group, zones: Iterable[Zone], staff: Mapping[str, StaffMember]
) -> list[str]:
    """The zones no member of the group is recused from, in the given order."""
    return [z.zone_id for z in zones if not group_recusals(group, z, staff)]


def eligibility(
    groups: Iterable[Group], zones: Iterable[Zone], staff: Mapping[str, StaffMember]
) -> dict[str, set[str]]:
    """Group id -> the zone ids it may enter."""
    zone_list = list(zones)
    return {g.group_id: set(eligible_zones(g, zone_list, staff)) for g in groups}
