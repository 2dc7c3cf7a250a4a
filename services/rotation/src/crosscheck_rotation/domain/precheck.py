"""The fast pre-check: necessary conditions for a campaign to be plannable, tested with
bipartite matchings (max flow) before any optimisation, so an impossible campaign is
answered in milliseconds and its cause is named: the zones, groups and villages that
block it, with a suggestion.

Every cause found is a proof of infeasibility (Hall's condition fails somewhere), so an
answer of "impossible" from here is always right; passing it does not guarantee a plan.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from crosscheck_rotation.domain.apart import together
from crosscheck_rotation.domain.causes import Cause, names
from crosscheck_rotation.domain.flow import FlowNetwork
from crosscheck_rotation.domain.model import RotationProblem, Zone
from crosscheck_rotation.domain.recusal import eligibility, group_recusals
from crosscheck_rotation.domain.rotation import allowed_zones, window
from crosscheck_rotation.domain.zoning import work_units


def precheck(problem: RotationProblem, no_repeat_within: int) -> list[Cause]:
    """The causes that make the campaign impossible under K = `no_repeat_within`."""
    groups = {g.group_id: g for g in problem.groups}
    zones = {z.zone_id: z for z in problem.zones}
    places = sum(z.size for z in problem.zones)
    if len(groups) > places:
        return [Cause("too_many_groups", {"groups": len(groups), "places": places})]
    parts: dict[str, int] = {}
    for unit in work_units(problem.zones, len(groups)):
        parts[unit.zone_id] = parts.get(unit.zone_id, 0) + 1
    causes = [
        Cause(
            "staff_conflict_in_group",
            {
                "group": g.name,
                "member": problem.staff[a].label,
                "other": problem.staff[b].label,
            },
            "move_one_of_pair",
        )
        for g, a, b in together(problem.groups, problem.staff)
    ]
    if causes:
        return causes
    elig = eligibility(problem.groups, problem.zones, problem.staff)
    causes = _blocked(problem, elig)
    if causes:
        return causes
    w = window(no_repeat_within, len(problem.rounds))
    causes = _too_few(problem, elig, parts, w, no_repeat_within)
    if causes:
        return causes
    for round_no in problem.rounds:
        allowed = {
            g: allowed_zones(g, elig[g], round_no, problem.history, no_repeat_within)
            for g in groups
        }
        if allowed == elig:
            # Nothing recent rules a zone out: the window flow below (w >= 1) already
            # implies a matching for this round (the matching polytope is integral).
            continue
        causes = _uncovered(allowed, zones, round_no) or _hall(
            allowed, parts, zones, groups_named(problem), 1, round_no
        )
        if causes:
            return causes
    return _hall(elig, parts, zones, groups_named(problem), w, None)


def groups_named(problem: RotationProblem) -> dict[str, str]:
    return {g.group_id: g.name for g in problem.groups}


def largest_passing_k(problem: RotationProblem) -> int | None:
    """The largest K (at most rounds - 1, at least 1) that passes the pre-check."""
    for k in range(max(1, len(problem.rounds) - 1), 0, -1):
        if not precheck(problem, k):
            return k
    return None


def _blocked(problem: RotationProblem, elig: Mapping[str, set[str]]) -> list[Cause]:
    causes = []
    for zone in problem.zones:
        if any(zone.zone_id in zs for zs in elig.values()):
            continue
        blockers = sorted(
            {
                problem.staff[r.staff_id].label
                for g in problem.groups
                for r in group_recusals(g, zone, problem.staff)
            }
        )
        causes.append(
            Cause(
                "zone_blocked",
                {"zone": zone.name, "members": names(blockers)},
                "move_member",
                {"zone": zone.name},
            )
        )
    for group in problem.groups:
        if not elig[group.group_id]:
            causes.append(
                Cause(
                    "group_blocked", {"group": group.name}, "move_member_out", {"group": group.name}
                )
            )
    return causes


def _too_few(
    problem: RotationProblem,
    elig: Mapping[str, set[str]],
    parts: Mapping[str, int],
    w: int,
    k: int,
) -> list[Cause]:
    causes = []
    for zone in problem.zones:
        able = [g.name for g in problem.groups if zone.zone_id in elig[g.group_id]]
        need = parts[zone.zone_id] * w
        if len(able) < need:
            causes.append(
                _relax(
                    Cause(
                        "zone_few_groups",
                        {
                            "zone": zone.name,
                            "count": len(able),
                            "groups": names(able),
                            "window": w,
                            "need": need,
                        },
                    ),
                    len(able) // parts[zone.zone_id] - 1,
                    k,
                )
            )
    for group in problem.groups:
        zs = sorted(z.name for z in problem.zones if z.zone_id in elig[group.group_id])
        if len(zs) < w:
            causes.append(
                _relax(
                    Cause(
                        "group_few_zones",
                        {"group": group.name, "count": len(zs), "zones": names(zs), "window": w},
                    ),
                    len(zs) - 1,
                    k,
                )
            )
    return causes


def _relax(cause: Cause, k: int, current: int) -> Cause:
    if 1 <= k < current:
        return cause.suggest("relax_k", {"k": k})
    return cause.suggest("split_or_move", {})


def _uncovered(
    allowed: Mapping[str, set[str]], zones: Mapping[str, Zone], round_no: int
) -> list[Cause]:
    """Zones no group may enter in this round once recent visits are ruled out."""
    covered = set().union(*allowed.values())
    return [
        Cause("round_zone_uncovered", {"round": round_no, "zone": z.name}, "relax_or_move", {})
        for zid, z in sorted(zones.items())
        if zid not in covered
    ]


def _hall(
    allowed: Mapping[str, set[str]],
    parts: Mapping[str, int],
    zones: Mapping[str, Zone],
    group_names: Mapping[str, str],
    w: int,
    round_no: int | None,
) -> list[Cause]:
    """Each group needs w distinct zones, each zone takes parts*w visits: a max flow."""
    gids, zids = sorted(allowed), sorted(zones)
    net = FlowNetwork(len(gids) + len(zids) + 2)
    source, sink = 0, len(gids) + len(zids) + 1
    zindex = {z: len(gids) + 1 + i for i, z in enumerate(zids)}
    for i, g in enumerate(gids, start=1):
        net.add_edge(source, i, w)
        for z in allowed[g]:
            net.add_edge(i, zindex[z], 1)
    for z in zids:
        net.add_edge(zindex[z], sink, parts[z] * w)
    need = len(gids) * w
    if net.max_flow(source, sink) >= need:
        return []
    side = net.reachable(source)
    stuck = [g for i, g in enumerate(gids, start=1) if i in side]
    reach = sorted({z for g in stuck for z in allowed[g]})
    params: dict[str, str | int | tuple[str, ...]] = {
        "groups": names([group_names[g] for g in stuck]),
        "zones": names([zones[z].name for z in reach]),
        "count": len(stuck),
        "window": w,
    }
    if round_no is None:
        return [Cause("groups_share_few_zones", params, "relax_or_move", {})]
    return [Cause("round_blocked", {**params, "round": round_no}, "relax_or_move", {})]


__all__: Sequence[str] = ["largest_passing_k", "precheck"]
