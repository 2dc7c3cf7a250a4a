"""Which township a request is about, and whether the caller may read or change it.

A township-scoped caller asking about another township is refused before anything is
looked up; a county viewer reads the townships of its own county only; only the
township's admin writes.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path

from crosscheck_contracts.envelope import Tenant
from crosscheck_platform.auth import Forbidden, Principal, Role
from crosscheck_platform.auth.deps import CurrentPrincipal, authorize_tenant
from crosscheck_platform.http import Runtime
from crosscheck_registry.adapters.state import township_county

TownshipCode = Annotated[str, Path(pattern=r"^[0-9]{9}$", description="9-digit township code")]


async def _tenant(code: str, principal: Principal, runtime: Runtime, *, write: bool) -> Tenant:
    if principal.township is not None and principal.township != code:
        raise Forbidden("forbidden.scope", township=code)
    async with runtime.database.pool.acquire() as conn:
        county = await township_county(conn, code)
    tenant = Tenant(county=county or principal.county, township=code)
    authorize_tenant(principal, tenant, write=write)
    if write and principal.role is not Role.TOWNSHIP_ADMIN:
        raise Forbidden("forbidden.role", role=principal.role.value)
    return tenant


async def read_scope(code: TownshipCode, principal: CurrentPrincipal, runtime: Runtime) -> Tenant:
    return await _tenant(code, principal, runtime, write=False)


async def write_scope(code: TownshipCode, principal: CurrentPrincipal, runtime: Runtime) -> Tenant:
    return await _tenant(code, principal, runtime, write=True)


ReadScope = Annotated[Tenant, Depends(read_scope)]
WriteScope = Annotated[Tenant, Depends(write_scope)]
