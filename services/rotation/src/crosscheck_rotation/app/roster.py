"""What the command handlers know of a township's roster (the registry's facts as this
service received them): a port, read from PostgreSQL in the service and from memory in
the service-layer tests."""

from __future__ import annotations

from typing import Protocol

from crosscheck_rotation.domain.model import StaffMember
from crosscheck_rotation.domain.risk import Finding, Visited
from crosscheck_rotation.domain.roster_version import Roster


class RosterSource(Protocol):
    async def current(self, township: str) -> Roster:
        """The active staff and open places now, kept by their version so that a
        decision made from them can be replayed later."""
        ...

    async def as_recorded(self, township: str, version: str) -> Roster | None:
        """The roster of that version as a decision read it; None if never kept."""
        ...

    async def staff(self, township: str, *, active_only: bool) -> dict[str, StaffMember]: ...

    async def village_names(self, township: str) -> dict[str, str]: ...

    async def site_names(self, township: str) -> dict[str, str]:
        """Site id -> name of every place the township ever had (closed ones too)."""
        ...

    async def township_names(self, county: str) -> dict[str, str]:
        """Township code -> name of the county's townships (from TownshipRegistered)."""
        ...

    async def visits(self, campaign_id: str) -> list[Visited]:
        """The campaign's inspections: group, place, round, hazards reported and the
        presence flags of their evidence (from the hazards topic)."""
        ...

    async def findings(self, campaign_id: str) -> list[Finding]:
        """The hazards the campaign's rounds found, with whether each is closed or
        overdue (from the hazards and notify topics)."""
        ...
