"""What the registry knows about one township, as the import compares a file against it."""

from __future__ import annotations

from dataclasses import dataclass, field

from crosscheck_registry.domain.site import SiteFacts
from crosscheck_registry.domain.staff import StaffFacts


@dataclass(frozen=True)
class VillageRecord:
    id: str
    code: str
    name: str


@dataclass(frozen=True)
class SiteRecord:
    id: str
    facts: SiteFacts
    active: bool = True


@dataclass(frozen=True)
class StaffRecord:
    id: str
    facts: StaffFacts
    conflict_village_ids: tuple[str, ...] = ()
    conflict_site_ids: tuple[str, ...] = ()
    active: bool = True
    conflict_staff_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class TownshipState:
    code: str
    villages: list[VillageRecord] = field(default_factory=list)
    sites: list[SiteRecord] = field(default_factory=list)
    staff: list[StaffRecord] = field(default_factory=list)
