"""What the command handlers know of a township's roster (the registry's facts as this
service received them): a port, read from PostgreSQL in the service and from memory in
the service-layer tests."""

from __future__ import annotations

from typing import Protocol

from crosscheck_rotation.domain.model import StaffMember


class Roster(Protocol):
    async def staff(self, township: str, *, active_only: bool) -> dict[str, StaffMember]: ...

    async def open_sites(self, township: str) -> dict[str, str]:
        """Site id -> village id of every place still to be inspected."""
        ...

    async def village_names(self, township: str) -> dict[str, str]: ...

    async def site_names(self, township: str) -> dict[str, str]:
        """Site id -> name of every place the township ever had (closed ones too)."""
        ...
