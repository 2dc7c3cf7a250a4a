"""Between the rotation model's plain values and the published event payloads."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from crosscheck_contracts.events import rotation as contract
from crosscheck_rotation.domain.checker import Check
from crosscheck_rotation.domain.model import Assignment, Group, RoundPlan, Zone

MAX_DETAIL = 2000
_K = re.compile(r"\bK=(\d+)\b")


def zone_out(zone: Zone) -> contract.Zone:
    return contract.Zone(
        zone_id=zone.zone_id,
        name=zone.name,
        village_id=zone.village_id,
        site_ids=list(zone.site_ids),
    )


def zone_in(zone: contract.Zone) -> Zone:
    return Zone(zone.zone_id, zone.name, zone.village_id, tuple(zone.site_ids))


def group_out(group: Group, eligible: Iterable[str]) -> contract.Group:
    return contract.Group(
        group_id=group.group_id,
        name=group.name,
        leader_id=group.leader_id,
        member_ids=list(group.member_ids),
        eligible_zone_ids=list(eligible),
    )


def group_in(group: contract.Group) -> Group:
    return Group(group.group_id, group.name, group.leader_id, tuple(group.member_ids))


def assignments_out(plan: RoundPlan) -> list[contract.Assignment]:
    return [
        contract.Assignment(group_id=a.group_id, zone_id=a.zone_id, site_ids=list(a.site_ids))
        for a in plan.assignments
    ]


def plan_in(round_no: int, assignments: Sequence[contract.Assignment]) -> RoundPlan:
    return RoundPlan(
        round_no,
        tuple(Assignment(a.group_id, a.zone_id, tuple(a.site_ids)) for a in assignments),
    )


def check_out(check: Check) -> contract.CheckResult:
    """A check as recorded: the note first (e.g. "K=5", the rotation window the plan was
    made for), then what broke the rule, cut to the contract's length."""
    parts = [p for p in (check.note, *check.problems) if p]
    detail = "; ".join(parts) or ("held" if check.held else "failed")
    return contract.CheckResult(rule=check.rule, held=check.held, detail=detail[:MAX_DETAIL])


def recorded_k(checks: Iterable[contract.CheckResult]) -> int | None:
    """The K a recorded plan was made for, from its rotation check's note."""
    for c in checks:
        if c.rule == "no_repeat_within_rounds" and (found := _K.search(c.detail)):
            return int(found.group(1))
    return None


def eligible_by_group(groups: Sequence[contract.Group]) -> Mapping[str, list[str]]:
    return {g.group_id: list(g.eligible_zone_ids) for g in groups}
