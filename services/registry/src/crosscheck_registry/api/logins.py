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

OwnerKind = Annotated[
    Literal["staff", "villages"],
    Path(description="whose login: a staff member's or a village committee's"),
]
OwnerId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9-]+$")]


async def logins_of(request: Request) -> Logins:
    logins: Logins = request.app.state.logins
    return logins


LoginsDep = Annotated[Logins, Depends(logins_of)]


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


def _owner(kind: str, owner_id: str) -> dict[str, str]:
    return {"staff_id": owner_id} if kind == "staff" else {"village_id": owner_id}


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


async def _known(runtime: Runtime, tenant: Tenant, kind: str, owner_id: str) -> None:
    """The owner must be the township's own before the provider is asked anything."""
    if kind == "staff":
        await _staff(runtime, tenant, owner_id)
    else:
        await _village(runtime, tenant, owner_id)


@router.get("/logins")
async def list_logins(scope: AdminWrite, logins: LoginsDep) -> LoginList:
    return LoginList(items=[LoginOut.of(login) for login in await logins.of_township(scope.tenant)])


@router.put("/{kind}/{owner_id}/login")
async def grant_login(
    scope: AdminWrite,
    kind: OwnerKind,
    owner_id: OwnerId,
    body: LoginBody,
    runtime: Runtime,
    logins: LoginsDep,
) -> LoginOut:
    password = PasswordChoice(body.password, body.temporary)
    if kind == "staff":
        staff = await _staff(runtime, scope.tenant, owner_id)
        login = await logins.grant_to_staff(scope.tenant, staff, body.username, body.role, password)
    else:
        village = await _village(runtime, scope.tenant, owner_id)
        login = await logins.grant_to_village(scope.tenant, village, body.username, password)
    return LoginOut.of(login)


@router.get("/{kind}/{owner_id}/login")
async def get_login(
    scope: AdminWrite, kind: OwnerKind, owner_id: OwnerId, runtime: Runtime, logins: LoginsDep
) -> LoginOut:
    await _known(runtime, scope.tenant, kind, owner_id)
    return LoginOut.of(await logins.find(**_owner(kind, owner_id)))


@router.post("/{kind}/{owner_id}/login/password")
async def reset_password(
    scope: AdminWrite,
    kind: OwnerKind,
    owner_id: OwnerId,
    body: PasswordBody,
    runtime: Runtime,
    logins: LoginsDep,
) -> LoginOut:
    await _known(runtime, scope.tenant, kind, owner_id)
    choice = PasswordChoice(body.password, body.temporary)
    return LoginOut.of(await logins.reset_password(choice, **_owner(kind, owner_id)))


@router.post("/{kind}/{owner_id}/login/{action}")
async def enable_or_disable(
    scope: AdminWrite,
    kind: OwnerKind,
    owner_id: OwnerId,
    action: Literal["disable", "enable"],
    runtime: Runtime,
    logins: LoginsDep,
) -> LoginOut:
    await _known(runtime, scope.tenant, kind, owner_id)
    enabled = action == "enable"
    return LoginOut.of(await logins.set_enabled(enabled, **_owner(kind, owner_id)))
