"""Mid-campaign changes: the zones after places were added or closed, and the groups
after members left or lost their leadership. Both keep what they can: a place stays in
its zone, a member in their group; only what changed moves."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from crosscheck_platform.errors import RuleViolation
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
