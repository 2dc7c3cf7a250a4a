"""The inspection staff member (检查人员) aggregate: enrolled, facts updated, declares
conflicts of interest (回避), deactivated. Conflicts only accumulate: recusal errs on the
safe side."""

from __future__ import annotations

from dataclasses import dataclass

from crosscheck_contracts.base import Event
from crosscheck_contracts.events.registry import (
    StaffConflictDeclared,
    StaffDeactivated,
    StaffEnrolled,
    StaffUpdated,
)
from crosscheck_platform.errors import RuleViolation, StateConflict
from crosscheck_platform.eventstore import Aggregate


@dataclass(frozen=True)
class StaffFacts:
    name: str
    unit: str
    is_leadership: bool
    home_village_id: str | None = None


class Staff(Aggregate):
    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.enrolled = False
        self.active = False
        self.facts: StaffFacts | None = None
        self.conflict_village_ids: list[str] = []
        self.conflict_site_ids: list[str] = []
        self.conflict_staff_ids: list[str] = []

    @classmethod
    def enroll(cls, staff_id: str, facts: StaffFacts) -> Staff:
        staff = cls(staff_id)
        staff._emit(
            StaffEnrolled(
                staff_id=staff_id,
                name=facts.name,
                unit=facts.unit,
                is_leadership=facts.is_leadership,
                home_village_id=facts.home_village_id,
            )
        )
        return staff

    def update(self, facts: StaffFacts) -> bool:
        """Record the facts that differ; False if nothing did."""
        self._must_be_active()
        assert self.facts is not None
        old = self.facts
        moved = facts.home_village_id != old.home_village_id
        if facts == old:
            return False
        self._emit(
            StaffUpdated(
                staff_id=self.id,
                name=facts.name if facts.name != old.name else None,
                unit=facts.unit if facts.unit != old.unit else None,
                is_leadership=(
                    facts.is_leadership if facts.is_leadership != old.is_leadership else None
                ),
                home_village_id=facts.home_village_id if moved else None,
                moved_to_township_seat=moved and facts.home_village_id is None,
            )
        )
        return True

    def declare_conflict(
        self,
        village_ids: list[str],
        site_ids: list[str],
        reason: str,
        staff_ids: list[str] | None = None,
    ) -> bool:
        """Declare the villages, places and officials not yet declared; False if all
        already were."""
        self._must_be_active()
        if self.id in (staff_ids or ()):
            assert self.facts is not None
            raise RuleViolation("registry.staff.conflict_self", name=self.facts.name)
        villages = [v for v in dict.fromkeys(village_ids) if v not in self.conflict_village_ids]
        sites = [s for s in dict.fromkeys(site_ids) if s not in self.conflict_site_ids]
        people = [s for s in dict.fromkeys(staff_ids or ()) if s not in self.conflict_staff_ids]
        if not villages and not sites and not people:
            return False
        self._emit(
            StaffConflictDeclared(
                staff_id=self.id,
                village_ids=villages,
                site_ids=sites,
                staff_ids=people,
                reason=reason,
            )
        )
        return True

    def deactivate(self, reason: str) -> None:
        self._must_be_active()
        self._emit(StaffDeactivated(staff_id=self.id, reason=reason))

    def _must_be_active(self) -> None:
        if not self.enrolled:
            raise StateConflict("registry.staff.unknown", staff_id=self.id)
        if not self.active:
            raise StateConflict("registry.staff.inactive", staff_id=self.id)

    def apply(self, event: Event) -> None:
        if isinstance(event, StaffEnrolled):
            self.enrolled = self.active = True
            self.facts = StaffFacts(
                event.name, event.unit, event.is_leadership, event.home_village_id
            )
        elif isinstance(event, StaffUpdated):
            assert self.facts is not None
            home = self.facts.home_village_id
            if event.moved_to_township_seat:
                home = None
            elif event.home_village_id is not None:
                home = event.home_village_id
            self.facts = StaffFacts(
                event.name or self.facts.name,
                event.unit or self.facts.unit,
                self.facts.is_leadership if event.is_leadership is None else event.is_leadership,
                home,
            )
        elif isinstance(event, StaffConflictDeclared):
            self.conflict_village_ids.extend(event.village_ids)
            self.conflict_site_ids.extend(event.site_ids)
            self.conflict_staff_ids.extend(event.staff_ids)
        elif isinstance(event, StaffDeactivated):
            self.active = False
