"""Aggregates decide from their own history; events carry masked phones only."""

from __future__ import annotations

from datetime import date

import pytest

from crosscheck_contracts.events.registry import (
    SiteClosed,
    SiteRegistered,
    SiteType,
    SiteUpdated,
    StaffConflictDeclared,
    TownshipRegistered,
    VillageRegistered,
)
from crosscheck_platform.errors import RuleViolation, StateConflict
from crosscheck_registry.domain.site import Site, SiteChanges, SiteFacts
from crosscheck_registry.domain.staff import Staff, StaffFacts
from crosscheck_registry.domain.township import (
    Township,
    TownshipFacts,
    Village,
    VillageFacts,
    check_new_village,
)

FACTS = SiteFacts(
    "张记小卖部", "532327102201", SiteType.SMALL_SHOP, "大村一组3号", "张三", "13812345678"
)


def test_site_lifecycle_emits_only_real_changes() -> None:
    site = Site.register("s-1", FACTS)
    expected, events = site.collect_pending()
    assert expected == 0
    [registered] = events
    assert isinstance(registered, SiteRegistered)
    assert registered.responsible_phone_masked == "138****5678"
    assert "13812345678" not in registered.model_dump_json()

    site = Site.rehydrate("s-1", events)
    assert site.update(SiteChanges(address="大村一组3号", site_type=SiteType.SMALL_SHOP)) is False
    assert site.update(SiteChanges(address="大村二组8号", responsible_phone="13912345678"))
    site.close("已停业", date(2025, 3, 1))
    expected, pending = site.collect_pending()
    assert expected == 1
    assert [type(e) for e in pending] == [SiteUpdated, SiteClosed]
    update = pending[0]
    assert isinstance(update, SiteUpdated)
    assert update.address == "大村二组8号" and update.site_type is None
    assert update.responsible_phone_masked == "139****5678"

    closed = Site.rehydrate("s-1", [*events, *pending])
    with pytest.raises(StateConflict) as problem:
        closed.update(SiteChanges(address="别处"))
    assert problem.value.key == "registry.site.closed"


def test_staff_conflicts_accumulate_without_repeats() -> None:
    staff = Staff.enroll("p-1", StaffFacts("李四", "综治中心", False, "532327102201"))
    assert staff.declare_conflict(["v-2"], [], "亲属")
    assert staff.declare_conflict(["v-2", "v-3"], ["s-9"], "亲属")
    assert not staff.declare_conflict(["v-3"], ["s-9"], "亲属")
    _, events = staff.collect_pending()
    declared = [e for e in events if isinstance(e, StaffConflictDeclared)]
    assert [(d.village_ids, d.site_ids) for d in declared] == [(["v-2"], []), (["v-3"], ["s-9"])]
    staff.deactivate("调离")
    with pytest.raises(StateConflict, match=r"registry.staff.inactive"):
        staff.deactivate("again")


def test_townships_belong_to_their_county_and_villages_are_unique() -> None:
    township = Township.register(TownshipFacts("532327102", "维的乡", "532327", "永仁县"))
    assert isinstance(township.collect_pending()[1][0], TownshipRegistered)
    with pytest.raises(RuleViolation, match=r"registry.township.outside_county"):
        Township.register(TownshipFacts("532328102", "维的乡", "532327", "永仁县"))
    village = Village.register("532327102", VillageFacts("532327102201", "大村村委会"))
    [event] = village.collect_pending()[1]
    assert isinstance(event, VillageRegistered)
    assert event.village_id == event.aggregate_id() == village.id == "532327102201"
    existing = [VillageFacts("532327102201", "大村村委会")]
    with pytest.raises(StateConflict, match=r"registry.village.code_taken"):
        check_new_village(VillageFacts("532327102201", "夏家村委会"), existing)
    with pytest.raises(StateConflict, match=r"registry.village.name_taken"):
        check_new_village(VillageFacts("532327102202", "大村村委会"), existing)
    check_new_village(VillageFacts("532327102202", "夏家村委会"), existing)
