"""Townships and their village committees."""

from __future__ import annotations

from fastapi import APIRouter

from crosscheck_platform.auth.deps import CurrentPrincipal
from crosscheck_platform.errors import NotFound
from crosscheck_platform.eventstore import CommandContext
from crosscheck_platform.http import Runtime
from crosscheck_platform.http.answers import Accepted, accepted
from crosscheck_registry.adapters import queries
from crosscheck_registry.api.answers import Township, Village
from crosscheck_registry.api.bodies import RegisterTownshipBody, RegisterVillageBody, checked
from crosscheck_registry.api.common import AdminWrite, Villages
from crosscheck_registry.app.commands import register_township, run_command
from crosscheck_registry.domain import values
from crosscheck_registry.domain.commands import RegisterVillage
from crosscheck_registry.domain.township import TownshipFacts, VillageFacts, village_id_for


def townships_router() -> APIRouter:
    router = APIRouter(prefix="/v1/townships", tags=["townships"])

    @router.get("", response_model=list[Township])
    async def list_townships(principal: CurrentPrincipal, runtime: Runtime) -> object:
        """The caller's township, or a county viewer's whole county."""
        async with runtime.database.pool.acquire() as conn:
            return await queries.list_townships(conn, principal.county, principal.township)

    @router.put("/{code}", status_code=201)
    async def register(scope: AdminWrite, body: RegisterTownshipBody, runtime: Runtime) -> Accepted:
        tenant = scope.tenant
        facts = TownshipFacts(
            code=tenant.township,
            name=checked("name", values.name, body.name),
            county_code=tenant.county,
            county_name=checked("county_name", values.name, body.county_name),
        )
        context = CommandContext(tenant=tenant)
        stored = await register_township(runtime.database, runtime.event_store, context, facts)
        return accepted(facts.code, stored)

    @router.get("/{code}", response_model=Township)
    async def get(scope: Villages, runtime: Runtime) -> object:
        """The township's own record, for everyone who reads any of its data."""
        async with runtime.database.pool.acquire() as conn:
            township = await queries.get_township(conn, scope.township)
        if township is None:
            raise NotFound("registry.township.unknown", code=scope.township)
        return township

    @router.post("/{code}/villages", status_code=201)
    async def register_village(
        scope: AdminWrite, body: RegisterVillageBody, runtime: Runtime
    ) -> Accepted:
        tenant = scope.tenant
        facts = VillageFacts(
            code=checked("code", lambda raw: values.village_code(raw, tenant.township), body.code),
            name=checked("name", values.name, body.name),
        )
        stored = await run_command(
            runtime.database,
            runtime.event_store,
            CommandContext(tenant=tenant),
            RegisterVillage(facts),
        )
        return accepted(village_id_for(facts.code), stored)

    @router.get("/{code}/villages", response_model=list[Village])
    async def villages(scope: Villages, runtime: Runtime) -> object:
        async with runtime.database.pool.acquire() as conn:
            villages = await queries.list_villages(conn, scope.township)
        only = scope.village_filter(None)
        return [v for v in villages if only is None or v["id"] == only]

    return router
