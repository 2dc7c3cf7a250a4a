"""What the inspection groups will find, and how each hazard's loop ends: a seeded,
pure function of the visits the rotation planned and the checklists of the places.

Shaped like the reference report: hazards over the categories in roughly its
proportions, a few major ones, some fixes rejected once on re-inspection, some
deadlines extended, and `open_count` hazards still being followed up at the end, one
of them past its deadline.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum

from crosscheck_contracts.events.hazards import HazardCategory

# Shares of the categories in a township's report; fire and electricity dominate.
CATEGORY_WEIGHTS: dict[HazardCategory, float] = {
    HazardCategory.FIRE_SAFETY: 0.30,
    HazardCategory.ELECTRICITY: 0.24,
    HazardCategory.GAS: 0.12,
    HazardCategory.FOOD_SAFETY: 0.10,
    HazardCategory.ESCAPE_ROUTES: 0.12,
    HazardCategory.HAZARDOUS_MATERIALS: 0.05,
    HazardCategory.OTHER: 0.07,
}
MAJOR_SHARE = 0.06
REJECTED_SHARE = 0.10
EXTENDED_SHARE = 0.08


class Outcome(StrEnum):
    """Where a hazard's loop stands when the demo ends."""

    VERIFIED = "verified"  # 销号
    OPEN_FOUND = "open_found"  # found, the responsible person not yet told
    OPEN_NOTIFIED = "open_notified"
    OPEN_ASSIGNED = "open_assigned"  # being fixed, deadline ahead
    OPEN_REPORTED = "open_reported"  # fixed, waiting for re-inspection (现场复核)
    OVERDUE = "overdue"  # assigned with a deadline that passes during the demo


# The open ones, in order of assignment; the last is the one that goes overdue.
OPEN_OUTCOMES = (
    Outcome.OPEN_NOTIFIED,
    Outcome.OPEN_ASSIGNED,
    Outcome.OPEN_REPORTED,
    Outcome.OPEN_FOUND,
    Outcome.OPEN_ASSIGNED,
)


@dataclass(frozen=True)
class Visit:
    round_no: int
    group_id: str
    site_id: str
    village_id: str
    site_type: str
    place: str
    """Village and place name: the registry's ids are drawn at random, the names are the
    workbook's, so the plan is keyed on them to be the same for the same seed."""


@dataclass(frozen=True)
class Item:
    item_id: str
    category: HazardCategory


@dataclass(frozen=True)
class PlannedHazard:
    visit: Visit
    item_id: str
    category: HazardCategory
    major: bool
    outcome: Outcome
    rejected_once: bool = False
    extended: bool = False


@dataclass
class HazardPlan:
    hazards: list[PlannedHazard] = field(default_factory=list)

    def at(self, visit: Visit) -> list[PlannedHazard]:
        return [h for h in self.hazards if h.visit == visit]

    def count(self, outcome: Outcome) -> int:
        return sum(h.outcome is outcome for h in self.hazards)

    @property
    def by_category(self) -> Counter[HazardCategory]:
        return Counter(h.category for h in self.hazards)

    @property
    def open(self) -> list[PlannedHazard]:
        return [h for h in self.hazards if h.outcome is not Outcome.VERIFIED]


def plan_hazards(
    seed: int,
    visits: list[Visit],
    checklists: dict[str, list[Item]],
    *,
    total: int = 164,
    open_count: int = 5,
) -> HazardPlan:
    """`total` hazards over the visits (a place weighs between 0.5 and 1.5; one item
    fails at most once per visit), `open_count` of them still open at the end, the
    last of those overdue. Same seed, visits and checklists: the same plan."""
    if not 1 <= open_count <= total:
        raise ValueError("open_count must be between 1 and total")
    rng = random.Random(seed)
    ordered = sorted(visits, key=lambda v: (v.round_no, v.place))
    site_weight = {v.place: rng.uniform(0.5, 1.5) for v in ordered}
    capacity = sum(len(checklists[v.site_type]) for v in ordered)
    if capacity < total:
        raise ValueError(f"{total} hazards do not fit in {capacity} checklist items")
    used: dict[Visit, set[str]] = {v: set() for v in ordered}
    picks: list[tuple[Visit, Item]] = []
    weights = [site_weight[v.place] for v in ordered]
    while len(picks) < total:
        visit = rng.choices(ordered, weights)[0]
        free = [i for i in checklists[visit.site_type] if i.item_id not in used[visit]]
        if not free:
            continue
        present = sorted({i.category for i in free}, key=list(HazardCategory).index)
        category = rng.choices(present, [CATEGORY_WEIGHTS[c] for c in present])[0]
        item = rng.choice([i for i in free if i.category is category])
        used[visit].add(item.item_id)
        picks.append((visit, item))
    # The open ones are among the last round's findings: still within their loop.
    last_round = max(v.round_no for v, _ in picks)
    late = [n for n, (v, _) in enumerate(picks) if v.round_no == last_round]
    open_at = rng.sample(late if len(late) >= open_count else range(total), open_count)
    outcome_of = {
        n: (OPEN_OUTCOMES[k % len(OPEN_OUTCOMES)] if k < open_count - 1 else Outcome.OVERDUE)
        for k, n in enumerate(open_at)
    }
    plan = HazardPlan()
    for n, (visit, item) in enumerate(picks):
        outcome = outcome_of.get(n, Outcome.VERIFIED)
        closes = outcome is Outcome.VERIFIED
        plan.hazards.append(
            PlannedHazard(
                visit=visit,
                item_id=item.item_id,
                category=item.category,
                major=rng.random() < MAJOR_SHARE,
                outcome=outcome,
                rejected_once=closes and rng.random() < REJECTED_SHARE,
                extended=closes and rng.random() < EXTENDED_SHARE,
            )
        )
    return plan
