"""Logins (登录账号) of the township's staff and village committees: given, read, reset,
disabled and enabled by the township's admin. The accounts live at the identity
provider; see app.logins."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Request
from pydantic import BaseModel, ConfigDict, Field

from crosscheck_contracts.envelope import Tenant
from crosscheck_platform.errors import NotFound
from crosscheck_platform.http import Runtime
from crosscheck_registry.adapters import queries
from crosscheck_registry.api.common import AdminWrite
from crosscheck_registry.app.logins import Login, Logins, PasswordChoice
from crosscheck_registry.domain.logins import LoginRole, StaffMember, VillageCommittee

router = APIRouter(prefix="/v1/townships/{code}", tags=["logins"])

_ID = Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9-]+$")
StaffId = Annotated[str, _ID]
VillageId = Annotated[str, _ID]


async def logins_of(request: Request) -> Logins:
    logins: Logins = request.app.state.logins
    return logins


LoginsDep = Annotated[Logins, Depends(logins_of)]
Action = Annotated[Literal["disable", "enable"], Path(description="what to do with the login")]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LoginBody(_Body):
    username: str = Field(min_length=3, max_length=64, description="may be a phone number")
    role: LoginRole | None = Field(
        default=None,
        description="staff only: inspector, group_leader or township_admin (default: "
        "group_leader for leadership members, else inspector)",
    )
    password: str | None = Field(
        default=None, min_length=8, max_length=128, description="left out: one is made"
    )
    temporary: bool = Field(default=True, description="to be changed at the first sign-in")


class VillageLoginBody(_Body):
    username: str = Field(min_length=3, max_length=64, description="may be a phone number")
    password: str | None = Field(
        default=None, min_length=8, max_length=128, description="left out: one is made"
    )
    temporary: bool = Field(default=True, description="to be changed at the first sign-in")


class PasswordBody(_Body):
    password: str | None = Field(default=None, min_length=8, max_length=128)
    temporary: bool = True


class LoginOut(BaseModel):
    username: str
    name: str
    role: str | None
    enabled: bool
    staff_id: str | None
    village_id: str | None
    must_change_password: bool
    new_password: str | None = Field(
        default=None, description="only when the password was made here: shown once"
    )

    @classmethod
    def of(cls, login: Login) -> LoginOut:
        return cls.model_validate(login, from_attributes=True)


class LoginList(BaseModel):
    items: list[LoginOut]


async def _staff(runtime: Runtime, tenant: Tenant, staff_id: str) -> StaffMember:
    async with runtime.database.pool.acquire() as conn:
        row = await queries.get_staff(conn, tenant.township, staff_id)
    if row is None:
        raise NotFound("registry.staff.unknown", staff_id=staff_id)
    return StaffMember(row["id"], row["name"], row["is_leadership"], row["active"])


async def _village(runtime: Runtime, tenant: Tenant, village_id: str) -> VillageCommittee:
    async with runtime.database.pool.acquire() as conn:
        row = await queries.get_village(conn, tenant.township, village_id)
    if row is None:
        raise NotFound("registry.village.unknown", village_id=village_id)
    return VillageCommittee(row["id"], row["name"])


@router.get("/logins")
async def list_logins(scope: AdminWrite, logins: LoginsDep) -> LoginList:
    return LoginList(items=[LoginOut.of(login) for login in await logins.of_township(scope.tenant)])


@router.put("/staff/{staff_id}/login")
async def grant_staff_login(
    scope: AdminWrite, staff_id: StaffId, body: LoginBody, runtime: Runtime, logins: LoginsDep
) -> LoginOut:
    staff = await _staff(runtime, scope.tenant, staff_id)
    password = PasswordChoice(body.password, body.temporary)
    return LoginOut.of(
        await logins.grant_to_staff(scope.tenant, staff, body.username, body.role, password)
    )


@router.put("/villages/{village_id}/login")
async def grant_village_login(
    scope: AdminWrite,
    village_id: VillageId,
    body: VillageLoginBody,
    runtime: Runtime,
    logins: LoginsDep,
) -> LoginOut:
    village = await _village(runtime, scope.tenant, village_id)
    password = PasswordChoice(body.password, body.temporary)
    return LoginOut.of(
        await logins.grant_to_village(scope.tenant, village, body.username, password)
    )


@router.get("/staff/{staff_id}/login")
async def get_staff_login(
    scope: AdminWrite, staff_id: StaffId, runtime: Runtime, logins: LoginsDep
) -> LoginOut:
    await _staff(runtime, scope.tenant, staff_id)
    return LoginOut.of(await logins.find(staff_id=staff_id))


@router.get("/villages/{village_id}/login")
async def get_village_login(
    scope: AdminWrite, village_id: VillageId, runtime: Runtime, logins: LoginsDep
) -> LoginOut:
    await _village(runtime, scope.tenant, village_id)
    return LoginOut.of(await logins.find(village_id=village_id))


@router.post("/staff/{staff_id}/login/password")
async def reset_staff_password(
    scope: AdminWrite, staff_id: StaffId, body: PasswordBody, runtime: Runtime, logins: LoginsDep
) -> LoginOut:
    await _staff(runtime, scope.tenant, staff_id)
    choice = PasswordChoice(body.password, body.temporary)
    return LoginOut.of(await logins.reset_password(choice, staff_id=staff_id))


@router.post("/villages/{village_id}/login/password")
async def reset_village_password(
    scope: AdminWrite,
    village_id: VillageId,
    body: PasswordBody,
    runtime: Runtime,
    logins: LoginsDep,
) -> LoginOut:
    await _village(runtime, scope.tenant, village_id)
    choice = PasswordChoice(body.password, body.temporary)
    return LoginOut.of(await logins.reset_password(choice, village_id=village_id))


@router.post("/staff/{staff_id}/login/{action}")
async def enable_or_disable_staff_login(
    scope: AdminWrite, staff_id: StaffId, action: Action, runtime: Runtime, logins: LoginsDep
) -> LoginOut:
    await _staff(runtime, scope.tenant, staff_id)
    return LoginOut.of(await logins.set_enabled(action == "enable", staff_id=staff_id))


@router.post("/villages/{village_id}/login/{action}")
async def enable_or_disable_village_login(
    scope: AdminWrite, village_id: VillageId, action: Action, runtime: Runtime, logins: LoginsDep
) -> LoginOut:
    await _village(runtime, scope.tenant, village_id)
    return LoginOut.of(await logins.set_enabled(action == "enable", village_id=village_id))
