from __future__ import annotations

from crosscheck_contracts.events.registry import StaffUpdated
from crosscheck_registry.domain.staff import Staff, StaffFacts

FACTS = StaffFacts("李红", "农业农村服务中心", False, "532327102201")


def test_update_emits_only_what_changed_and_state_follows() -> None:
    staff = Staff.enroll("s-1", FACTS)
    staff.collect_pending()
    assert staff.update(FACTS) is False
    assert staff.update(StaffFacts("李红", "综治中心", True, "532327102201")) is True
    _, [event] = staff.collect_pending()
    assert event == StaffUpdated(staff_id="s-1", unit="综治中心", is_leadership=True)
    assert staff.facts == StaffFacts("李红", "综治中心", True, "532327102201")


def test_moving_to_the_township_seat_clears_the_home_village() -> None:
    staff = Staff.enroll("s-2", FACTS)
    assert staff.update(StaffFacts("李红", "农业农村服务中心", False, None))
    _, events = staff.collect_pending()
    assert events[-1] == StaffUpdated(staff_id="s-2", moved_to_township_seat=True)
    again = Staff.rehydrate("s-2", events)
    assert again.facts is not None and again.facts.home_village_id is None
    assert again.update(StaffFacts("李红", "农业农村服务中心", False, "532327102202"))
    _, [moved_back] = again.collect_pending()
    assert moved_back == StaffUpdated(staff_id="s-2", home_village_id="532327102202")
