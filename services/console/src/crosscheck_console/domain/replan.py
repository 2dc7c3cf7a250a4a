"""Replanning a campaign by a small change to its groups (move a member to another
group, swap two members, make a leadership member the leader) for the rounds not yet
started. Pure: no I/O, no texts (errors are message keys, translated by the page); the
rotation's refusal, an HTTP answer, is read by the API (`api/refusals.py`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from crosscheck_console.domain.field import FormProblems
from crosscheck_console.domain.plan import round_dates

KINDS = ("move", "swap", "leader")
MAX_REASON = 2000


@dataclass(frozen=True)
class Change:
    kind: str
    member: str
    to_group: str | None
    other: str | None
    reason: str
    from_round: int

    def body(self) -> dict[str, Any]:
        """The rotation service's groups/change body."""
        found: dict[str, Any] = {
            "kind": self.kind,
            "member": self.member,
            "reason": self.reason,
            "from_round": self.from_round,
        }
        if self.kind == "move":
            found["to_group"] = self.to_group
        if self.kind == "swap":
            found["other"] = self.other
        return found


def rounds_not_started(plan: Mapping[str, Any], today: date) -> list[int]:
    """The rounds a change may still reach: planned, not closed, starting after today."""
    if not plan.get("starts_on") or not plan.get("ends_on"):
        return []
    day = today.isoformat()
    found = []
    for record in plan.get("schedule", []):
        n = record["round_no"]
        starts, _ = round_dates(plan["starts_on"], plan["ends_on"], plan["rounds"], n)
        if not record["closed"] and starts > day:
            found.append(n)
    return found


def group_of(plan: Mapping[str, Any]) -> dict[str, str]:
    """Each member's group id."""
    return {m: g["group_id"] for g in plan["groups"] for m in g["member_ids"]}


def read_change(
    values: Mapping[str, Sequence[str]], plan: Mapping[str, Any], open_rounds: Sequence[int]
) -> Change | FormProblems:
    problems = FormProblems()

    def one(name: str) -> str:
        got = values.get(name) or [""]
        return got[0].strip()

    members = group_of(plan)
    groups = {g["group_id"] for g in plan["groups"]}
    kind = one("kind")
    if kind not in KINDS:
        problems.add("kind", "console.replan.err.kind")
    member = one("member")
    if member not in members:
        problems.add("member", "console.replan.err.member")
    to_group = one("to_group") or None
    other = one("other") or None
    if kind == "move" and (to_group not in groups or to_group == members.get(member)):
        problems.add("to_group", "console.replan.err.to_group")
    if kind == "swap" and (
        other not in members or other == member or members.get(other) == members.get(member)
    ):
        problems.add("other", "console.replan.err.other")
    reason = one("reason")
    if not reason:
        problems.add("reason", "console.replan.err.reason")
    elif len(reason) > MAX_REASON:
        problems.add("reason", "console.field.err.too_long", most=MAX_REASON)
    raw_round = one("from_round")
    from_round = int(raw_round) if raw_round.isdigit() else 0
    if from_round not in open_rounds:
        problems.add("from_round", "console.replan.err.round")
    if problems.by_field:
        return problems
    return Change(kind, member, to_group, other, reason, from_round)
