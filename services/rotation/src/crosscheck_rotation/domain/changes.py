"""Mid-campaign changes: the zones after places were added or closed, and the groups
after members left or lost their leadership. Both keep what they can: a place stays in
its zone, a member in their group; only what changed moves."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from crosscheck_platform.errors import RuleViolation
from crosscheck_rotation.domain.apart import together
from crosscheck_rotation.domain.model import Group, StaffMember, Zone


def rezone(
    zones: Sequence[Zone], open_sites: Mapping[str, str], village_names: Mapping[str, str]
) -> list[Zone]:
    """`zones` without closed (or moved) places; a new place joins the smallest zone of
    its village, or a new zone when its village has none. Empty zones are dropped."""
    kept: list[Zone] = []
    placed: set[str] = set()
    for z in zones:
        sites = tuple(s for s in z.site_ids if open_sites.get(s) == z.village_id)
        placed.update(sites)
        kept.append(Zone(z.zone_id, z.name, z.village_id, sites))
    taken = {z.zone_id for z in kept}
    for site in sorted(set(open_sites) - placed):
        village = open_sites[site]
        mine = [i for i, z in enumerate(kept) if z.village_id == village]
        if mine:
            i = min(mine, key=lambda i: (kept[i].size, kept[i].zone_id))
            z = kept[i]
            kept[i] = Zone(z.zone_id, z.name, z.village_id, tuple(sorted((*z.site_ids, site))))
            continue
        zone_id, n = village, 1
        while zone_id in taken:
            n += 1
            zone_id = f"{village}-n{n}"
        taken.add(zone_id)
        kept.append(Zone(zone_id, village_names.get(village, village), village, (site,)))
    return [z for z in kept if z.site_ids]


def refresh_groups(groups: Sequence[Group], active: Mapping[str, StaffMember]) -> list[Group]:
    """The groups without members no longer active; a group whose leader left (or is no
    longer a leadership member) is led by another leadership member of it."""
    out = []
    for g in groups:
        members = tuple(m for m in g.member_ids if m in active)
        leader = g.leader_id
        if leader not in members or not active[leader].is_leadership:
            able = sorted(m for m in members if active[m].is_leadership)
            if not able:
                raise RuleViolation("rotation.group_without_leader", group=g.name)
            leader = able[0]
        out.append(Group(g.group_id, g.name, leader, members))
    return out


@dataclass(frozen=True)
class GroupChange:
    """A small change to the groups for the rounds not yet started: move one member to
    another group, swap two members of different groups, or make a leadership member
    of a group its leader."""

    kind: Literal["move", "swap", "leader"]
    member: str
    to_group: str | None = None
    other: str | None = None


def apply_change(
    groups: Sequence[Group], change: GroupChange, staff: Mapping[str, StaffMember]
) -> list[Group]:
    """The groups after `change`; a change the groups cannot take is a RuleViolation
    naming the people and groups by name."""
    out = list(groups)
    where = {m: i for i, g in enumerate(out) for m in g.member_ids}

    def who(staff_id: str) -> str:
        person = staff.get(staff_id)
        return person.label if person else staff_id

    if change.member not in where:
        raise RuleViolation("rotation.change_not_a_member", member=who(change.member))
    i = where[change.member]
    if change.kind == "leader":
        if not staff[change.member].is_leadership:
            raise RuleViolation("rotation.change_not_leadership", member=who(change.member))
        out[i] = replace(out[i], leader_id=change.member)
        return out
    out = _moved(out, i, where, change, who, staff)
    for group, a, b in together([out[n] for n in sorted(_touched(out, change))], staff):
        raise RuleViolation(
            "rotation.change_staff_conflict", member=who(a), other=who(b), group=group.name
        )
    return out


def _touched(groups: Sequence[Group], change: GroupChange) -> set[int]:
    """The groups a move or swap put someone into."""
    joined = {change.member, change.other}
    return {n for n, g in enumerate(groups) if joined & set(g.member_ids)}


def _moved(
    out: list[Group],
    i: int,
    where: Mapping[str, int],
    change: GroupChange,
    who: Callable[[str], str],
    staff: Mapping[str, StaffMember],
) -> list[Group]:
    if change.kind == "move":
        target = next((n for n, g in enumerate(out) if g.group_id == change.to_group), None)
        if target is None or target == i:
            raise RuleViolation("rotation.change_bad_group", member=who(change.member))
        if out[i].leader_id == change.member:
            raise RuleViolation(
                "rotation.change_moves_leader", member=who(change.member), group=out[i].name
            )
        out[i] = replace(
            out[i], member_ids=tuple(m for m in out[i].member_ids if m != change.member)
        )
        out[target] = replace(
            out[target], member_ids=tuple(sorted((*out[target].member_ids, change.member)))
        )
        return out
    other = change.other or ""
    if other not in where or where[other] == i:
        raise RuleViolation("rotation.change_bad_swap", member=who(change.member), other=who(other))
    j = where[other]
    for a, b, n in ((change.member, other, i), (other, change.member, j)):
        if out[n].leader_id == a and not staff[b].is_leadership:
            raise RuleViolation("rotation.change_moves_leader", member=who(a), group=out[n].name)
    gi, gj = out[i], out[j]
    out[i] = _swapped(gi, change.member, other)
    out[j] = _swapped(gj, other, change.member)
    return out


def _swapped(group: Group, leaving: str, joining: str) -> Group:
    members = tuple(sorted((*(m for m in group.member_ids if m != leaving), joining)))
    leader = joining if group.leader_id == leaving else group.leader_id
    return Group(group.group_id, group.name, leader, members)
