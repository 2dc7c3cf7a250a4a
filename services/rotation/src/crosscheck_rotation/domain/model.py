"""The rotation model's plain values: staff, zones, groups and a round's assignments.

Frozen dataclasses, no I/O: the planner, the pre-check and the checker all speak them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class StaffMember:
    """What the rotation needs to know about one inspector (from the registry's events)."""

    staff_id: str
    unit: str
    is_leadership: bool
    home_village_id: str | None = None
    conflict_village_ids: frozenset[str] = frozenset()
    conflict_site_ids: frozenset[str] = frozenset()
    name: str = ""
    conflict_staff_ids: frozenset[str] = frozenset()
    """Officials never to be in one group with this one (either may have declared it)."""

    @property
    def label(self) -> str:
        """How messages name the person: by name (the id only if no name is known)."""
        return self.name or self.staff_id


@dataclass(frozen=True)
class Zone:
    """An inspection zone (片区): one village, or a share of a large one."""

    zone_id: str
    name: str
    village_id: str
    site_ids: tuple[str, ...]

    @property
    def size(self) -> int:
        return len(self.site_ids)


@dataclass(frozen=True)
class Group:
    """An inspection group, led by a leadership member who is also in `member_ids`."""

    group_id: str
    name: str
    leader_id: str
    member_ids: tuple[str, ...]


@dataclass(frozen=True)
class Assignment:
    """One group sent to (part of) one zone in a round."""

    group_id: str
    zone_id: str
    site_ids: tuple[str, ...]


@dataclass(frozen=True)
class RoundPlan:
    round_no: int
    assignments: tuple[Assignment, ...]

    def loads(self) -> dict[str, int]:
        """Places per group in this round."""
        loads: dict[str, int] = {}
        for a in self.assignments:
            loads[a.group_id] = loads.get(a.group_id, 0) + len(a.site_ids)
        return loads

    def zones_of(self, group_id: str) -> set[str]:
        return {a.zone_id for a in self.assignments if a.group_id == group_id}


@dataclass(frozen=True)
class Bounds:
    """Workload of a plan in places, beside what the solver proved no plan can beat."""

    max_load: int
    max_load_bound: int
    spread: int
    spread_bound: int


@dataclass(frozen=True)
class CampaignPlan:
    no_repeat_within: int
    rounds: tuple[RoundPlan, ...]
    seed: int
    objective: int
    bounds: Bounds
    optimal: bool
    reproducible: bool = True
    """False when the wall-clock safety net cut a search: the same seed may then give
    another (equally legal) plan on another machine."""


@dataclass(frozen=True)
class RotationProblem:
    """Everything the planner needs: who is in which group, the zones, the rounds to plan
    and the rounds already fixed (finished or kept), whose visits count for rotation."""

    staff: Mapping[str, StaffMember]
    groups: Sequence[Group]
    zones: Sequence[Zone]
    rounds: Sequence[int]
    history: Sequence[RoundPlan] = field(default_factory=tuple)
    risk: Mapping[str, int] = field(default_factory=dict)
    """Zone id -> weight of what earlier rounds found there (`risk`): the first round
    planned sends the riskiest zones to the strongest groups, among equally good plans."""
