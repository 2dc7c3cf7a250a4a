"""Which township a request is about, and whether the caller may see or change it.

Contacts are personal data: only the township's own admin reads or changes them. The
notices history is also open to the county's viewers. The notify service keeps no
township register, so the tenant's county is the caller's: a county viewer sees only
notices recorded under its own county.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path

from crosscheck_contracts.envelope import Tenant
from crosscheck_platform.auth import Forbidden, Principal, Role
from crosscheck_platform.auth.deps import authorize_tenant, require_roles

TownshipCode = Annotated[str, Path(pattern=r"^[0-9]{9}$", description="9-digit township code")]


def _tenant(code: str, principal: Principal, *, write: bool) -> Tenant:
    if principal.township is not None and principal.township != code:
        raise Forbidden("forbidden.scope", township=code)
    tenant = Tenant(county=principal.county, township=code)
    authorize_tenant(principal, tenant, write=write)
    return tenant


async def admin_scope(
    code: TownshipCode,
    principal: Annotated[Principal, Depends(require_roles(Role.TOWNSHIP_ADMIN))],
) -> Tenant:
    return _tenant(code, principal, write=True)


async def oversight_scope(
    code: TownshipCode,
    principal: Annotated[
        Principal, Depends(require_roles(Role.TOWNSHIP_ADMIN, Role.COUNTY_VIEWER))
    ],
) -> Tenant:
    return _tenant(code, principal, write=False)


AdminScope = Annotated[Tenant, Depends(admin_scope)]
OversightScope = Annotated[Tenant, Depends(oversight_scope)]
