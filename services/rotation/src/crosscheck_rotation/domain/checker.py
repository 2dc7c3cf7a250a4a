"""The independent checker: re-verifies a round against the rules from what was recorded
(the campaign's zones, the groups, the rounds' assignments and the staff's home villages
and declared conflicts). Written apart from the planner on purpose: it imports none of
the planner's rule code, so a bug there cannot hide itself here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from crosscheck_rotation.domain.model import Group, RoundPlan, StaffMember, Zone

RULES = (
    "leader_in_each_group",
    "every_site_covered",
    "every_group_working",
    "no_home_village",
    "no_declared_conflict",
    "no_repeat_within_rounds",
    "balanced_workload",
)


@dataclass(frozen=True)
class Check:
    rule: str
    held: bool
    problems: tuple[str, ...]
    """What broke the rule, as short statements with ids; empty when it held."""
    note: str = ""


def check_round(
    round_no: int,
    rounds: Sequence[RoundPlan],
    zones: Sequence[Zone],
    groups: Sequence[Group],
    staff: Mapping[str, StaffMember],
    no_repeat_within: int,
    site_names: Mapping[str, str] | None = None,
) -> list[Check]:
    """Every rule for round `round_no`, held or not, given all rounds recorded so far.
    `site_names` names the places in what broke a rule (else their ids)."""
    site_names = site_names or {}
    plan = next(p for p in rounds if p.round_no == round_no)
    zone_of = {z.zone_id: z for z in zones}
    names = _Names(
        {g.group_id: g.name for g in groups}, {z.zone_id: z.name for z in zones}, site_names
    )
    out = [_leaders(groups, staff), _coverage(plan, zones, names)]
    working = {a.group_id for a in plan.assignments}
    idle = [g.name for g in groups if g.group_id not in working]
    out.append(Check("every_group_working", not idle, tuple(f"{g}: idle" for g in idle)))
    home, conflict = _recusals(plan, zone_of, groups, staff, names)
    conflict = _pairs(plan, groups, staff) + conflict
    out.append(Check("no_home_village", not home, tuple(home)))
    out.append(Check("no_declared_conflict", not conflict, tuple(conflict)))
    out.append(_repeats(plan, rounds, no_repeat_within, names))
    out.append(_workload(plan, rounds, zone_of, groups, staff, no_repeat_within, names))
    return out


@dataclass(frozen=True)
class _Names:
    """Groups, zones and places by name in what the checker says (ids only as a last
    resort, for something it was not told about)."""

    groups: Mapping[str, str]
    zones: Mapping[str, str]
    sites: Mapping[str, str]

    def group(self, group_id: str) -> str:
        return self.groups.get(group_id, group_id)

    def zone(self, zone_id: str) -> str:
        return self.zones.get(zone_id, zone_id)

    def site(self, site_id: str) -> str:
        return self.sites.get(site_id, site_id)


def _who(staff: Mapping[str, StaffMember], staff_id: str) -> str:
    person = staff.get(staff_id)
    return person.label if person else staff_id


def _leaders(groups: Sequence[Group], staff: Mapping[str, StaffMember]) -> Check:
    bad = []
    for g in groups:
        leader = staff.get(g.leader_id)
        if g.leader_id not in g.member_ids or leader is None or not leader.is_leadership:
            bad.append(f"{g.name}: leader {_who(staff, g.leader_id)} is not a leadership member")
    return Check("leader_in_each_group", not bad, tuple(bad))


def _coverage(plan: RoundPlan, zones: Sequence[Zone], names: _Names) -> Check:
    bad = []
    seen: dict[str, int] = {}
    zone_sites = {z.zone_id: set(z.site_ids) for z in zones}
    for a in plan.assignments:
        for site in a.site_ids:
            seen[site] = seen.get(site, 0) + 1
            if site not in zone_sites.get(a.zone_id, set()):
                bad.append(f"{names.site(site)} is not in zone {names.zone(a.zone_id)}")
    for z in zones:
        for site in z.site_ids:
            if seen.get(site, 0) != 1:
                bad.append(f"{names.site(site)} ({z.name}) assigned {seen.get(site, 0)} times")
    return Check("every_site_covered", not bad, tuple(bad))


def _repeats(plan: RoundPlan, rounds: Sequence[RoundPlan], k: int, names: _Names) -> Check:
    bad = []
    visits = {(a.group_id, a.zone_id) for a in plan.assignments}
    for other in rounds:
        gap = abs(other.round_no - plan.round_no)
        if gap == 0 or gap > k:
            continue
        for a in other.assignments:
            if (a.group_id, a.zone_id) in visits:
                bad.append(
                    f"{names.group(a.group_id)} in {names.zone(a.zone_id)} in rounds "
                    f"{plan.round_no} and {other.round_no}"
                )
    return Check("no_repeat_within_rounds", not bad, tuple(sorted(set(bad))), f"K={k}")


def _barred(person: StaffMember, zone: Zone, names: _Names | None = None) -> list[str]:
    """Why `person` may not enter `zone`; the zone's name stands for its village."""
    why = []
    if person.home_village_id == zone.village_id:
        why.append(f"lives in {zone.name}")
    if zone.village_id in person.conflict_village_ids:
        why.append(f"declared {zone.name}")
    site = names.site if names else str
    why.extend(
        f"declared place {site(s)}" for s in sorted(person.conflict_site_ids & set(zone.site_ids))
    )
    return why


def _recusals(
    plan: RoundPlan,
    zone_of: Mapping[str, Zone],
    groups: Sequence[Group],
    staff: Mapping[str, StaffMember],
    names: _Names,
) -> tuple[list[str], list[str]]:
    home: list[str] = []
    conflict: list[str] = []
    members = {g.group_id: g.member_ids for g in groups}
    for a in plan.assignments:
        zone = zone_of.get(a.zone_id)
        group = names.group(a.group_id)
        for m in members.get(a.group_id, ()):
            person = staff.get(m)
            if zone is None or person is None:
                conflict.append(f"{group}/{m}: unknown member or zone {names.zone(a.zone_id)}")
                continue
            for why in _barred(person, zone, names):
                target = home if why.startswith("lives") else conflict
                target.append(f"{group}/{person.label} {why} ({zone.name})")
    return home, conflict


def _pairs(plan: RoundPlan, groups: Sequence[Group], staff: Mapping[str, StaffMember]) -> list[str]:
    """Two members of a working group who declared (either of them) that they must not be
    in one group, both named."""
    working = {a.group_id for a in plan.assignments}
    found = []
    for g in groups:
        if g.group_id not in working:
            continue
        members = sorted(g.member_ids)
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                pa, pb = staff.get(a), staff.get(b)
                if pa and pb and (b in pa.conflict_staff_ids or a in pb.conflict_staff_ids):
                    found.append(
                        f"{g.name}/{pa.label} and {pb.label} declared they must not be in one group"
                    )
    return found


def _workload(
    plan: RoundPlan,
    rounds: Sequence[RoundPlan],
    zone_of: Mapping[str, Zone],
    groups: Sequence[Group],
    staff: Mapping[str, StaffMember],
    k: int,
    names: _Names,
) -> Check:
    """Balanced, in places. The bound is what a fair share-out meets:
    ceil((places - largest) / groups) + largest, `largest` being the round's largest
    assignment (a group handed the last, largest share when it was the least loaded
    carries no more). It breaks when a group above the bound, or the busiest group if
    it alone is the busiest, could hand one of its zones to another group allowed there
    (recusal, rotation) that would stay below it (and within the bound). A group with a
    single zone keeps it; a load above the bound that recusal forces is not a break."""
    loads = {g.group_id: 0 for g in groups}
    for a in plan.assignments:
        loads[a.group_id] = loads.get(a.group_id, 0) + len(a.site_ids)
    top = max(loads.values(), default=0)
    places = sum(loads.values())
    largest = max((len(a.site_ids) for a in plan.assignments), default=0)
    bound = -(-(places - largest) // max(1, len(loads))) + largest
    note = f"max {top}, min {min(loads.values(), default=0)} places, bound {bound} places"
    busiest = [g for g, load in loads.items() if load == top]
    heavy = {g for g, load in loads.items() if load > bound}
    if len(busiest) == 1:
        heavy.add(busiest[0])
    members = {g.group_id: g.member_ids for g in groups}
    better = []
    for giver in sorted(heavy):
        mine = [a for a in plan.assignments if a.group_id == giver]
        if len(mine) < 2:
            continue
        have = loads[giver]
        limit = min(have, bound) if have > bound else have
        for a in mine:
            zone = zone_of[a.zone_id]
            for g, load in loads.items():
                if g == giver or load + len(a.site_ids) >= limit + (have > bound):
                    continue
                if any(_barred(staff[m], zone) for m in members[g] if m in staff):
                    continue
                if any(
                    0 < abs(o.round_no - plan.round_no) <= k
                    and any(b.group_id == g and b.zone_id == a.zone_id for b in o.assignments)
                    for o in rounds
                ):
                    continue
                better.append(
                    f"{zone.name} could move from {names.group(giver)} ({have}) "
                    f"to {names.group(g)} ({load})"
                )
    return Check("balanced_workload", not better, tuple(better), note)
