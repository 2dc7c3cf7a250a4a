"""Commands: what the registry is asked to do, by a person through the API or by an
import plan. Each names one aggregate; the service layer runs it and appends."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from crosscheck_registry.domain.site import SiteChanges, SiteFacts
from crosscheck_registry.domain.staff import StaffFacts
from crosscheck_registry.domain.township import VillageFacts


@dataclass(frozen=True)
class RegisterVillage:
    facts: VillageFacts


@dataclass(frozen=True)
class RegisterSite:
    site_id: str
    facts: SiteFacts


@dataclass(frozen=True)
class UpdateSite:
    site_id: str
    changes: SiteChanges


@dataclass(frozen=True)
class CloseSite:
    site_id: str
    reason: str
    closed_on: date


@dataclass(frozen=True)
class EnrollStaff:
    staff_id: str
    facts: StaffFacts
    conflict_village_ids: tuple[str, ...] = ()
    conflict_site_ids: tuple[str, ...] = ()
    conflict_reason: str = ""
    conflict_staff_ids: tuple[str, ...] = ()
    """Officials never to share an inspection group with this one."""


@dataclass(frozen=True)
class UpdateStaff:
    """New facts for an enrolled official, and conflicts to add, in one append."""

    staff_id: str
    facts: StaffFacts
    conflict_village_ids: tuple[str, ...] = ()
    conflict_site_ids: tuple[str, ...] = ()
    conflict_reason: str = ""
    conflict_staff_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class DeclareConflict:
    staff_id: str
    village_ids: tuple[str, ...]
    site_ids: tuple[str, ...]
    reason: str
    staff_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class DeactivateStaff:
    staff_id: str
    reason: str


Command = (
    RegisterVillage
    | RegisterSite
    | UpdateSite
    | CloseSite
    | EnrollStaff
    | UpdateStaff
    | DeclareConflict
    | DeactivateStaff
)
