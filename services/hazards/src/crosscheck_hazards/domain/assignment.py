"""Who may record an inspection of a place in a round (区域划片、动态轮换).

Only the group the round assigned to the place's zone may record it; a township
administrator may record it anyway with a stated reason (kept on the event, so ledgers
show every departure from the plan). The same holds once the round is closed: groups
record nothing more for it, an administrator may (paper forms are often typed in after
the round ended). Closing a round does not touch the rectification of its hazards: they
stay open until verified.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from crosscheck_hazards.domain.errors import (
    InspectionRuleViolation,
    NotAssigned,
    RoundAlreadyClosed,
)
from crosscheck_platform.errors import RuleViolation


@dataclass(frozen=True)
class Actor:
    """The person issuing a command, as the domain needs to know them."""

    user_id: str
    staff_id: str | None
    is_admin: bool = False
    village_id: str | None = None


@dataclass(frozen=True)
class RoundPlan:
    """The part of a round's plan that concerns one place: the group assigned to it
    (None if the round did not cover it or is not known here) and its members."""

    assigned_group_id: str | None
    group_members: Mapping[str, frozenset[str]] = field(default_factory=dict)
    """Members of each group of the campaign, by group id (as far as known)."""
    round_closed: bool = False
    """Rotation closed the round."""
    group_names: Mapping[str, str] = field(default_factory=dict)
    """Names of the campaign's groups, by group id (as far as known): what refusals say."""

    def group_label(self, group_id: str) -> str:
        return self.group_names.get(group_id, group_id)


def check_round_open(
    plan: RoundPlan, *, campaign_id: str, round_no: int, actor: Actor, override_reason: str | None
) -> None:
    """Raise if the round is closed, unless an administrator states why it is recorded
    late (the reason goes on the event through `check_assignment`)."""
    if not plan.round_closed:
        return
    if not actor.is_admin:
        raise RoundAlreadyClosed(campaign_id=campaign_id, round_no=round_no)
    if not (override_reason or "").strip():
        raise RuleViolation(
            "inspection.round_closed_needs_reason", campaign_id=campaign_id, round_no=round_no
        )


def check_assignment(
    plan: RoundPlan, *, group_id: str, round_no: int, actor: Actor, override_reason: str | None
) -> str | None:
    """Raise unless `actor` may record the inspection for `group_id`; return the
    override reason to record (None when the plan was followed)."""
    reason = (override_reason or "").strip() or None
    if actor.is_admin:
        if plan.assigned_group_id == group_id:
            return reason
        if reason is None:
            raise RuleViolation("inspection.override_needs_reason")
        return reason
    if reason is not None:
        raise NotAssigned("inspection.override_not_allowed")
    if plan.assigned_group_id != group_id:
        raise NotAssigned(group=plan.group_label(group_id), round_no=round_no)
    members = plan.group_members.get(group_id)
    if members is not None and actor.staff_id not in members:
        raise NotAssigned("inspection.not_group_member", group=plan.group_label(group_id))
    return None


def check_present_staff(
    plan: RoundPlan, *, group_id: str, present_staff_ids: Sequence[str], override: str | None
) -> None:
    """Raise unless everyone recorded as present belongs to the recording group (as far
    as its members are known here). An administrator's override, with its reason on the
    event, also covers substitutes."""
    if override is not None:
        return
    members = plan.group_members.get(group_id)
    if members is None:
        return
    outsiders = sorted(set(present_staff_ids) - members)
    if outsiders:
        raise InspectionRuleViolation(
            "inspection.staff_not_in_group",
            group=plan.group_label(group_id),
            staff_ids=", ".join(outsiders),
        )
