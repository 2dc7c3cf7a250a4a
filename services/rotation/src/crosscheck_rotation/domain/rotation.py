"""The rotation rule: a group does not return to a zone it inspected within the last K
rounds. Shared by the planner and the pre-check (the checker has its own reading)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from crosscheck_rotation.domain.model import RoundPlan


def window(no_repeat_within: int, rounds: int) -> int:
    """How many consecutive rounds hold a zone at most once for each group: K + 1,
    but never more than the rounds being planned."""
    return max(1, min(no_repeat_within + 1, rounds))


def recent_zones(
    group_id: str, round_no: int, history: Iterable[RoundPlan], no_repeat_within: int
) -> set[str]:
    """Zones the group inspected in the K rounds before `round_no`."""
    return {
        a.zone_id
        for plan in history
        if 0 < round_no - plan.round_no <= no_repeat_within
        for a in plan.assignments
        if a.group_id == group_id
    }


def allowed_zones(
    group_id: str,
    eligible: set[str],
    round_no: int,
    history: Sequence[RoundPlan],
    no_repeat_within: int,
) -> set[str]:
    return eligible - recent_zones(group_id, round_no, history, no_repeat_within)
