"""Inspection staff (检查人员): enroll, declare conflicts (回避), deactivate, list, read."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends

from crosscheck_platform.errors import NotFound, RuleViolation
from crosscheck_platform.eventstore import CommandContext
from crosscheck_platform.http import Runtime
from crosscheck_platform.http.answers import Accepted, accepted
from crosscheck_registry.adapters import queries
from crosscheck_registry.adapters.queries import Page
from crosscheck_registry.api.answers import StaffPage, StaffRecord
from crosscheck_registry.api.bodies import ConflictBody, DeactivateBody, StaffBody, checked
from crosscheck_registry.api.common import AdminWrite, Records, paging
from crosscheck_registry.app.commands import run_command
from crosscheck_registry.domain import values
from crosscheck_registry.domain.commands import DeactivateStaff, DeclareConflict, EnrollStaff
from crosscheck_registry.domain.importing.plan import new_uuid
from crosscheck_registry.domain.staff import StaffFacts


def staff_router() -> APIRouter:
    router = APIRouter(prefix="/v1/townships/{code}/staff", tags=["staff"])

    @router.post("", status_code=201)
    async def enroll(scope: AdminWrite, body: StaffBody, runtime: Runtime) -> Accepted:
        facts = StaffFacts(
            name=checked("name", values.name, body.name),
            unit=checked("unit", values.name, body.unit),
            is_leadership=body.is_leadership,
            home_village_id=body.home_village_id,
        )
        staff_id = new_uuid()
        stored = await run_command(
            runtime.database,
            runtime.event_store,
            CommandContext(tenant=scope.tenant),
            EnrollStaff(staff_id, facts),
            villages=[facts.home_village_id],
        )
        return accepted(staff_id, stored)

    @router.post("/{staff_id}/conflicts")
    async def declare_conflict(
        scope: AdminWrite, staff_id: str, body: ConflictBody, runtime: Runtime
    ) -> Accepted:
        if not body.village_ids and not body.site_ids and not body.staff_ids:
            raise RuleViolation("registry.staff.conflict_empty")
        command = DeclareConflict(
            staff_id,
            tuple(body.village_ids),
            tuple(body.site_ids),
            checked("reason", values.text, body.reason),
            tuple(body.staff_ids),
        )
        stored = await run_command(
            runtime.database,
            runtime.event_store,
            CommandContext(tenant=scope.tenant),
            command,
            villages=body.village_ids,
            sites=body.site_ids,
            staff=body.staff_ids,
        )
        return accepted(staff_id, stored)

    @router.post("/{staff_id}/deactivate")
    async def deactivate(
        scope: AdminWrite, staff_id: str, body: DeactivateBody, runtime: Runtime
    ) -> Accepted:
        command = DeactivateStaff(staff_id, checked("reason", values.text, body.reason))
        stored = await run_command(
            runtime.database, runtime.event_store, CommandContext(tenant=scope.tenant), command
        )
        return accepted(staff_id, stored)

    @router.get("", response_model=StaffPage)
    async def list_staff(
        scope: Records,
        runtime: Runtime,
        page: Annotated[Page, Depends(paging)],
        status: Literal["active", "inactive", "all"] = "active",
        is_leadership: bool | None = None,
        home_village_id: str | None = None,
        q: str | None = None,
    ) -> object:
        async with runtime.database.pool.acquire() as conn:
            return await queries.list_staff(
                conn,
                scope.township,
                page,
                status=status,
                is_leadership=is_leadership,
                home_village_id=home_village_id,
                q=q,
            )

    @router.get("/{staff_id}", response_model=StaffRecord)
    async def get(scope: Records, staff_id: str, runtime: Runtime) -> object:
        async with runtime.database.pool.acquire() as conn:
            staff = await queries.get_staff(conn, scope.township, staff_id)
        if staff is None:
            raise NotFound("registry.staff.unknown", staff_id=staff_id)
        return staff

    return router
