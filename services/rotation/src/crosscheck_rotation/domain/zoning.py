"""Drawing zones: one per village committee by default, a large village split into
zones of balanced size; and, when there are more groups than zones, splitting the
largest zones into parts so that every group has work in every round."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from crosscheck_rotation.domain.model import Zone


def _chunks(items: Sequence[str], parts: int) -> list[tuple[str, ...]]:
    """`items` in `parts` consecutive chunks whose sizes differ by at most one."""
    size, extra = divmod(len(items), parts)
    chunks, start = [], 0
    for k in range(parts):
        end = start + size + (1 if k < extra else 0)
        chunks.append(tuple(items[start:end]))
        start = end
    return chunks


def build_zones(
    village_names: Mapping[str, str],
    site_villages: Mapping[str, str],
    *,
    max_sites_per_zone: int | None = None,
) -> list[Zone]:
    """Zones over the active places: a village without places has nothing to inspect
    and gets no zone; a village with more than `max_sites_per_zone` places is split."""
    by_village: dict[str, list[str]] = {}
    for site_id, village_id in site_villages.items():
        by_village.setdefault(village_id, []).append(site_id)
    zones: list[Zone] = []
    for village_id in sorted(by_village):
        sites = sorted(by_village[village_id])
        name = village_names.get(village_id, village_id)
        parts = 1
        if max_sites_per_zone is not None:
            parts = max(1, -(-len(sites) // max_sites_per_zone))
        if parts == 1:
            zones.append(Zone(village_id, name, village_id, tuple(sites)))
            continue
        for k, chunk in enumerate(_chunks(sites, parts), start=1):
            zones.append(Zone(f"{village_id}-{k}", f"{name}{k}片", village_id, chunk))
    return zones


@dataclass(frozen=True)
class WorkUnit:
    """What one group inspects in a round when groups outnumber zones: a zone, or a
    share of a split zone. Rotation still counts the zone, not the share."""

    zone_id: str
    part: int
    site_ids: tuple[str, ...]

    @property
    def size(self) -> int:
        return len(self.site_ids)


def work_units(zones: Sequence[Zone], groups: int) -> list[WorkUnit]:
    """One unit per zone; with more groups than zones, the zone with the most places per
    share is split once more until there are as many units as groups (no more shares
    than places)."""
    parts = {z.zone_id: 1 for z in zones}
    splittable = [z for z in zones if z.size > 1]
    while sum(parts.values()) < groups and splittable:
        zone = max(splittable, key=lambda z: (z.size / parts[z.zone_id], z.zone_id))
        parts[zone.zone_id] += 1
        if parts[zone.zone_id] >= zone.size:
            splittable.remove(zone)
    return [
        WorkUnit(z.zone_id, k, chunk)
        for z in zones
        for k, chunk in enumerate(_chunks(z.site_ids, parts[z.zone_id]))
    ]


def split_for_groups(zones: Sequence[Zone], groups: int) -> list[Zone]:
    """Zones for a campaign that will have `groups` groups: with fewer zones than groups,
    the largest are split into zones of their own (rotation then counts each share as a
    zone), so every group has work and no share needs more groups than a zone."""
    shares: dict[str, list[WorkUnit]] = {}
    for unit in work_units(zones, groups):
        shares.setdefault(unit.zone_id, []).append(unit)
    out: list[Zone] = []
    for z in zones:
        units = shares[z.zone_id]
        if len(units) == 1:
            out.append(z)
            continue
        for u in units:
            out.append(
                Zone(
                    f"{z.zone_id}-{u.part + 1}", f"{z.name}{u.part + 1}片", z.village_id, u.site_ids
                )
            )
    return out
