"""FastAPI dependencies for routes under `/v1/townships/{code}`: the township named by
the path, checked against the caller before anything is looked up, so a township out of
scope is refused the same way whether the service holds anything of it or not.

    Records = Annotated[TownshipScope, Depends(township_records())]
    AdminWrite = Annotated[
        TownshipScope, Depends(township_records(write=True, roles=[Role.TOWNSHIP_ADMIN]))
    ]

    @router.get("/v1/townships/{code}/staff")
    async def list_staff(scope: Records) -> ...
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Path

from crosscheck_contracts.envelope import Tenant
from crosscheck_platform.auth.deps import CurrentPrincipal
from crosscheck_platform.auth.errors import Forbidden
from crosscheck_platform.auth.principal import Principal, Role
from crosscheck_platform.tenancy.access import authorize, own_village, reading
from crosscheck_platform.tenancy.rules import Holding

TownshipCode = Annotated[str, Path(pattern=r"^[0-9]{9}$", description="9-digit township code")]
CountyCode = Annotated[str, Path(pattern=r"^[0-9]{6}$", description="6-digit county code")]


@dataclass(frozen=True)
class TownshipScope:
    """The township of the path, as far as the caller may see it."""

    principal: Principal
    tenant: Tenant
    village_id: str | None = None
    """Set for village roles: the one village whose data they see here."""

    @property
    def township(self) -> str:
        return self.tenant.township

    def village_filter(self, requested: str | None) -> str | None:
        """The village a list of this township is limited to (the caller's own for a
        village role; asking for another is OutOfScope), else what was asked for."""
        return reading(self.principal, township=self.township, village_id=requested).village_id

    def authorize(self, *villages: str | None, write: bool = False) -> None:
        """OutOfScope (or ReadOnly) unless the caller may read (change) data of this
        township concerning `villages` (a row the route has just looked up)."""
        authorize(self.principal, Holding.of(self.tenant, *villages), write=write)


ScopeDependency = Callable[[str, Principal], Awaitable[TownshipScope]]


def _scoped(*, villages: bool, write: bool, roles: Iterable[Role]) -> ScopeDependency:
    allowed = frozenset(roles)

    async def township_scope(code: TownshipCode, principal: CurrentPrincipal) -> TownshipScope:
        village = own_village(principal) if villages else None
        holding = Holding.of_township(code, village)
        authorize(principal, holding, write=write)
        # The scope first: out of scope is the answer whatever the role.
        if allowed and principal.role not in allowed:
            raise Forbidden("forbidden.role", role=principal.role.value)
        tenant = Tenant(county=holding.county, township=code)
        return TownshipScope(principal, tenant, village)

    return township_scope


def township_records(*, write: bool = False, roles: Iterable[Role] = ()) -> ScopeDependency:
    """For the township's own records (staff, campaigns, roster, contacts, notices):
    county roles of its county and the township's own roles; not its village roles.
    `roles`, when given, narrows who may use the route among those in scope."""
    return _scoped(villages=False, write=write, roles=roles)


def township_villages(*, write: bool = False, roles: Iterable[Role] = ()) -> ScopeDependency:
    """For data the township keeps per village (places, the village list, the township's
    own name): also open to its village roles, limited to their village through
    `TownshipScope.village_filter` and `TownshipScope.authorize`."""
    return _scoped(villages=True, write=write, roles=roles)


@dataclass(frozen=True)
class CountyRecords:
    """The county of the path (`/v1/counties/{county}`), as the caller may see it."""

    principal: Principal
    county: str


def county_records(*, write: bool = False) -> Callable[[str, Principal], Awaitable[CountyRecords]]:
    """For a county's own records (county campaigns): read by the county's roles,
    changed by its county admin (county viewers: 403 `read_only`); township and village
    roles are out of scope, even of their own county."""

    async def county_scope(county: CountyCode, principal: CurrentPrincipal) -> CountyRecords:
        authorize(principal, Holding(county), write=write)
        return CountyRecords(principal, county)

    return county_scope
