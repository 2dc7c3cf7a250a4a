"""Recording an inspection: checklists, assignment (and its override), answers,
closed places, one hazard per failed item, recurrence links."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest

from crosscheck_contracts.events.hazards import (
    HazardCategory,
    HazardFound,
    InspectionCompleted,
    Severity,
)
from crosscheck_contracts.events.registry import SiteType
from crosscheck_hazards.adapters.checklist_data import standard_library
from crosscheck_hazards.domain.assignment import Actor, RoundPlan
from crosscheck_hazards.domain.checklists import (
    ChecklistItem,
    TownshipItem,
    parse_library,
)
from crosscheck_hazards.domain.errors import NotAssigned, RoundAlreadyClosed
from crosscheck_hazards.domain.inspection import (
    Answer,
    InspectionReport,
    RecordedInspection,
    SiteFacts,
    record_inspection,
)
from crosscheck_platform.errors import DomainError, RuleViolation

from .domain_helpers import START

SITE = SiteFacts(site_id="site-1", village_id="v-1", site_type=SiteType.SMALL_RESTAURANT)
PLAN = RoundPlan(assigned_group_id="g-1", group_members={"g-1": frozenset({"s-1", "s-2"})})
INSPECTOR = Actor(user_id="u-1", staff_id="s-1")
ADMIN = Actor(user_id="u-admin", staff_id=None, is_admin=True)
CHECKLIST = standard_library().checklist_for(SiteType.SMALL_RESTAURANT)


def report(failed: dict[str, Answer] | None = None, **changes: object) -> InspectionReport:
    failed = failed or {}
    answers = tuple(failed.get(i, Answer(item_id=i, passed=True)) for i in CHECKLIST.item_ids)
    values: dict[str, object] = {
        "inspection_id": "in-1",
        "campaign_id": "c-1",
        "round_no": 2,
        "group_id": "g-1",
        "inspected_at": START,
        "present_staff_ids": ("s-1", "s-2"),
        "answers": answers,
    }
    values.update(changes)
    return InspectionReport(**values)  # type: ignore[arg-type]


def record(
    rep: InspectionReport,
    *,
    actor: Actor = INSPECTOR,
    plan: RoundPlan = PLAN,
    site: SiteFacts = SITE,
    closed_before: dict[str, str] | None = None,
) -> RecordedInspection:
    ids = (f"hz-{n}" for n in itertools.count(1))
    return record_inspection(
        rep,
        site=site,
        checklist=CHECKLIST,
        plan=plan,
        actor=actor,
        now=START + timedelta(hours=1),
        closed_before=closed_before or {},
        new_hazard_id=lambda: next(ids),
    )


def test_each_failed_item_becomes_a_hazard_and_the_inspection_summarises() -> None:
    failed = {
        "food.expired": Answer("food.expired", passed=False, description="冰柜内有过期牛奶3盒"),
        "gas.hose": Answer("gas.hose", passed=False, severity=Severity.MAJOR),
    }
    result = record(report(failed))
    found = [e for h in result.hazards for e in h.collect_pending()[1]]
    hazards = [e for e in found if isinstance(e, HazardFound)]
    assert [(h.checklist_item_id, h.severity) for h in hazards] == [
        ("gas.hose", Severity.MAJOR),
        ("food.expired", Severity.GENERAL),
    ]
    by_item = {h.checklist_item_id: h for h in hazards}
    assert by_item["food.expired"].description == "冰柜内有过期牛奶3盒"
    assert by_item["food.expired"].category is HazardCategory.FOOD_SAFETY
    assert by_item["gas.hose"].description == CHECKLIST.item("gas.hose").hazard  # type: ignore[union-attr]
    [completed] = result.inspection.collect_pending()[1]
    assert isinstance(completed, InspectionCompleted)
    assert completed.items_checked == len(CHECKLIST.items)
    assert completed.items_failed == 2
    assert completed.hazard_ids == [h.hazard_id for h in hazards]
    assert completed.override_reason is None


def test_a_hazard_that_comes_back_after_closure_is_linked_to_the_earlier_one() -> None:
    failed = {
        "food.expired": Answer("food.expired", passed=False),
        "gas.hose": Answer("gas.hose", passed=False),
    }
    result = record(report(failed), closed_before={"food.expired": "hz-old"})
    found = {
        e.checklist_item_id: e
        for h in result.hazards
        for e in h.collect_pending()[1]
        if isinstance(e, HazardFound)
    }
    assert found["food.expired"].recurrence_of == "hz-old"
    assert found["gas.hose"].recurrence_of is None


def test_another_group_is_refused() -> None:
    with pytest.raises(NotAssigned) as refused:
        record(report(group_id="g-2"), actor=Actor(user_id="u-9", staff_id="s-9"))
    assert refused.value.code == "not_assigned"
    assert refused.value.params == {"group": "g-2", "round_no": 2}


def test_a_non_member_cannot_record_for_the_assigned_group() -> None:
    with pytest.raises(NotAssigned) as refused:
        record(report(), actor=Actor(user_id="u-9", staff_id="s-9"))
    assert refused.value.key == "inspection.not_group_member"


def test_only_an_admin_overrides_and_only_with_a_reason() -> None:
    outside = report(group_id="g-2", override_reason="原分派检查组成员因公外出")
    with pytest.raises(NotAssigned):
        record(outside, actor=Actor(user_id="u-9", staff_id="s-9"))
    with pytest.raises(RuleViolation) as no_reason:
        record(report(group_id="g-2"), actor=ADMIN)
    assert no_reason.value.key == "inspection.override_needs_reason"
    [completed] = record(outside, actor=ADMIN).inspection.collect_pending()[1]
    assert isinstance(completed, InspectionCompleted)
    assert completed.override_reason == "原分派检查组成员因公外出"


def test_a_round_that_did_not_cover_the_place_needs_the_override() -> None:
    with pytest.raises(NotAssigned):
        record(report(), plan=RoundPlan(assigned_group_id=None))


def test_a_closed_round_takes_no_more_inspections_from_groups() -> None:
    closed = RoundPlan(assigned_group_id="g-1", group_members=PLAN.group_members, round_closed=True)
    with pytest.raises(RoundAlreadyClosed) as refused:
        record(report(), plan=closed)
    assert refused.value.code == "round_closed"
    assert refused.value.params == {"campaign_id": "c-1", "round_no": 2}
    # A group's reason changes nothing: only an administrator may record late.
    with pytest.raises(RoundAlreadyClosed):
        record(report(override_reason="纸质检查表补录"), plan=closed)


def test_an_admin_records_a_closed_round_only_with_a_reason_kept_on_the_event() -> None:
    closed = RoundPlan(assigned_group_id="g-1", group_members=PLAN.group_members, round_closed=True)
    for blank in (None, "  "):
        with pytest.raises(RuleViolation) as no_reason:
            record(report(override_reason=blank), plan=closed, actor=ADMIN)
        assert no_reason.value.key == "inspection.round_closed_needs_reason"
        assert no_reason.value.params == {"campaign_id": "c-1", "round_no": 2}
    reason = "第2轮纸质检查表,轮次结束后补录"
    [completed] = record(
        report(override_reason=reason), plan=closed, actor=ADMIN
    ).inspection.collect_pending()[1]
    assert isinstance(completed, InspectionCompleted)
    assert completed.override_reason == reason


def test_a_closed_place_cannot_be_inspected() -> None:
    closed = SiteFacts("site-1", "v-1", SiteType.SMALL_RESTAURANT, closed=True)
    with pytest.raises(RuleViolation) as refused:
        record(report(), site=closed)
    assert refused.value.key == "inspection.site_closed"


@pytest.mark.parametrize(
    ("answers", "key"),
    [
        (lambda a: a[1:], "inspection.missing_items"),
        (lambda a: (*a, Answer("nope", passed=True)), "inspection.unknown_items"),
        (lambda a: (*a, a[0]), "inspection.duplicate_items"),
    ],
)
def test_answers_must_cover_the_checklist_exactly(answers, key: str) -> None:  # type: ignore[no-untyped-def]
    base = report()
    with pytest.raises(DomainError) as refused:
        record(report(answers=answers(base.answers)))
    assert refused.value.key == key


def test_inspections_cannot_be_dated_in_the_future() -> None:
    with pytest.raises(RuleViolation):
        record(report(inspected_at=START + timedelta(days=1)))


def test_checklists_are_versioned_and_townships_add_items() -> None:
    library = standard_library()
    enterprise = library.checklist_for(SiteType.ENTERPRISE)
    assert enterprise.version == "enterprise@2"
    assert "haz.ledger" in enterprise.item_ids
    categories = {i.category for t in SiteType for i in library.checklist_for(t).items}
    assert categories == set(HazardCategory)
    own = TownshipItem(
        item=ChecklistItem(
            item_id="t.532327101.kitchen-hood",
            category=HazardCategory.FIRE_SAFETY,
            check="油烟机、烟道定期清洗",
            check_en="Kitchen hood and flue cleaned regularly",
            hazard="烟道油垢积聚",
            action="清洗油烟机和烟道,并保存清洗记录",
        ),
        site_types=frozenset({SiteType.SMALL_RESTAURANT}),
    )
    restaurant = library.checklist_for(SiteType.SMALL_RESTAURANT, [own])
    assert restaurant.item_ids[-1] == "t.532327101.kitchen-hood"
    assert restaurant.version == "small-restaurant@1+1"
    assert (
        "t.532327101.kitchen-hood" not in library.checklist_for(SiteType.SMALL_SHOP, [own]).item_ids
    )


def test_a_checklist_naming_an_unknown_item_is_refused_when_loaded() -> None:
    text = """
[[item]]
id = "a"
category = "other"
check = "c"
check_en = "c"
hazard = "h"
action = "a"

[[checklist]]
id = "x"
version = 1
site_types = ["other"]
items = ["a", "b"]
"""
    with pytest.raises(ValueError, match="unknown"):
        parse_library(text)


def test_present_staff_must_belong_to_the_group_unless_an_admin_says_why() -> None:
    with pytest.raises(RuleViolation) as refused:
        record(report(present_staff_ids=("s-1", "s-7", "s-3")))
    assert refused.value.key == "inspection.staff_not_in_group"
    assert refused.value.code == "rule_violation"
    assert refused.value.params == {"group": "g-1", "staff_ids": "s-3, s-7"}
    with pytest.raises(RuleViolation):
        record(report(present_staff_ids=("s-7",)), actor=ADMIN)
    substitute = report(present_staff_ids=("s-1", "s-7"), override_reason="s-2 病假,由 s-7 替换")
    recorded = record(substitute, actor=ADMIN)
    [completed] = recorded.inspection.collect_pending()[1]
    assert isinstance(completed, InspectionCompleted)
    assert completed.present_staff_ids == ["s-1", "s-7"]
    assert completed.override_reason == "s-2 病假,由 s-7 替换"
