"""Which township a request is about, and whether the caller may read or change it.

Township roles (admin, group leaders, inspectors, village committees) read their own
township's campaigns; county viewers read their county's; only the township's admin
changes anything. A campaign is found only under its own township's path.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path

from crosscheck_contracts.envelope import Tenant
from crosscheck_platform.auth import Forbidden, Principal, Role
from crosscheck_platform.auth.deps import CurrentPrincipal, authorize_tenant

TownshipCode = Annotated[str, Path(pattern=r"^[0-9]{9}$", description="9-digit township code")]


def _refuse_other_township(code: str, principal: Principal) -> None:
    if principal.township is not None and principal.township != code:
        raise Forbidden("forbidden.scope", township=code)


async def write_scope(code: TownshipCode, principal: CurrentPrincipal) -> Tenant:
    _refuse_other_township(code, principal)
    if principal.role is not Role.TOWNSHIP_ADMIN:
        raise Forbidden("forbidden.role", role=principal.role.value)
    tenant = Tenant(county=principal.county, township=code)
    authorize_tenant(principal, tenant, write=True)
    return tenant


async def read_principal(code: TownshipCode, principal: CurrentPrincipal) -> Principal:
    """Refuses another township before anything is looked up; the county check follows
    once the campaign's own tenant is known (`authorize_read`)."""
    _refuse_other_township(code, principal)
    return principal


def authorize_read(principal: Principal, tenant: Tenant) -> None:
    authorize_tenant(principal, tenant, write=False)


WriteScope = Annotated[Tenant, Depends(write_scope)]
Reader = Annotated[Principal, Depends(read_principal)]
