"""The demo's hazard plan: the reference figures, its categories, the same plan for
the same seed, one item failing at most once per visit."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import pytest

from crosscheck_contracts.events.hazards import HazardCategory
from crosscheck_demo.plan import Item, Outcome, Visit, plan_hazards

CHECKLISTS = {
    "restaurant": [Item(f"r.{c.value}.{n}", c) for c in HazardCategory for n in (1, 2)],
    "shop": [Item(f"s.{c.value}", c) for c in HazardCategory if c is not HazardCategory.GAS],
}
VISITS = [
    Visit(
        r,
        f"g{(n + r) % 8}",
        f"site-{n:02d}",
        f"v{n % 7}",
        "restaurant" if n % 3 else "shop",
        f"村{n % 7}/场所{n:02d}",
    )
    for r in (1, 2)
    for n in range(68)
]


def test_reference_figures_and_one_overdue() -> None:
    plan = plan_hazards(2024, VISITS, CHECKLISTS)
    assert len(plan.hazards) == 164
    assert plan.count(Outcome.VERIFIED) == 159
    assert len(plan.open) == 5
    assert plan.count(Outcome.OVERDUE) == 1
    assert all(h.visit.round_no == 2 for h in plan.open)
    assert not any(h.rejected_once or h.extended for h in plan.open)
    assert any(h.rejected_once for h in plan.hazards)
    assert any(h.extended for h in plan.hazards)
    assert 0 < sum(h.major for h in plan.hazards) < 30
    by_category = plan.by_category
    assert set(by_category) == set(HazardCategory)
    assert by_category[HazardCategory.FIRE_SAFETY] > by_category[HazardCategory.HAZARDOUS_MATERIALS]


def test_each_item_fails_once_per_visit_and_belongs_to_the_place() -> None:
    plan = plan_hazards(7, VISITS, CHECKLISTS)
    per_visit = Counter((h.visit, h.item_id) for h in plan.hazards)
    assert max(per_visit.values()) == 1
    for h in plan.hazards:
        assert h.item_id in {i.item_id for i in CHECKLISTS[h.visit.site_type]}


def test_same_seed_same_plan_other_seed_other_plan() -> None:
    assert plan_hazards(5, VISITS, CHECKLISTS) == plan_hazards(5, VISITS, CHECKLISTS)
    # The registry's ids differ from run to run; the places and their hazards do not.
    renamed = [replace(v, site_id=f"x-{v.site_id}") for v in reversed(VISITS)]
    assert [
        (h.visit.place, h.item_id, h.outcome) for h in plan_hazards(5, renamed, CHECKLISTS).hazards
    ] == [
        (h.visit.place, h.item_id, h.outcome) for h in plan_hazards(5, VISITS, CHECKLISTS).hazards
    ]
    assert plan_hazards(5, VISITS, CHECKLISTS) != plan_hazards(6, VISITS, CHECKLISTS)


def test_more_hazards_than_items_is_refused() -> None:
    with pytest.raises(ValueError, match="do not fit"):
        plan_hazards(1, VISITS[:2], CHECKLISTS, total=1000)
