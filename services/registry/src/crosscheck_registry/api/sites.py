"""Places (场所): register, update, close, list, read."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends

from crosscheck_platform.auth import Role
from crosscheck_platform.errors import NotFound, RuleViolation
from crosscheck_platform.eventstore import CommandContext
from crosscheck_platform.http import Runtime
from crosscheck_platform.http.answers import Accepted, accepted
from crosscheck_registry.adapters import queries
from crosscheck_registry.adapters.queries import Page
from crosscheck_registry.api.answers import SitePage, SiteRecord
from crosscheck_registry.api.bodies import CloseSiteBody, SiteBody, SitePatchBody, checked
from crosscheck_registry.api.common import AdminWrite, Villages, paging
from crosscheck_registry.api.imports import today
from crosscheck_registry.app.commands import run_command
from crosscheck_registry.domain import values
from crosscheck_registry.domain.commands import CloseSite, RegisterSite, UpdateSite
from crosscheck_registry.domain.importing.plan import new_uuid
from crosscheck_registry.domain.site import SiteChanges, SiteFacts


def _changes(body: SitePatchBody) -> SiteChanges:
    def opt(field: str, rule: Any) -> Any:
        raw = getattr(body, field)
        return None if raw is None else checked(field, rule, raw)

    changes = SiteChanges(
        name=opt("name", values.name),
        village_id=body.village_id,
        site_type=opt("site_type", values.site_type),
        address=opt("address", values.address),
        responsible_name=opt("responsible_name", values.name),
        responsible_phone=opt("responsible_phone", values.phone),
        location=body.location,
    )
    if not changes.as_dict():
        raise RuleViolation("registry.site.nothing_changed")
    return changes


def sites_router() -> APIRouter:
    router = APIRouter(prefix="/v1/townships/{code}/sites", tags=["sites"])

    @router.post("", status_code=201)
    async def register(scope: AdminWrite, body: SiteBody, runtime: Runtime) -> Accepted:
        facts = SiteFacts(
            name=checked("name", values.name, body.name),
            village_id=body.village_id,
            site_type=checked("site_type", values.site_type, body.site_type),
            address=checked("address", values.address, body.address),
            responsible_name=checked("responsible_name", values.name, body.responsible_name),
            responsible_phone=(
                checked("responsible_phone", values.phone, body.responsible_phone)
                if body.responsible_phone
                else None
            ),
            location=body.location,
        )
        site_id = new_uuid()
        stored = await run_command(
            runtime.database,
            runtime.event_store,
            CommandContext(tenant=scope.tenant),
            RegisterSite(site_id, facts),
            villages=[facts.village_id],
        )
        return accepted(site_id, stored)

    @router.patch("/{site_id}")
    async def update(
        scope: AdminWrite, site_id: str, body: SitePatchBody, runtime: Runtime
    ) -> Accepted:
        changes = _changes(body)
        stored = await run_command(
            runtime.database,
            runtime.event_store,
            CommandContext(tenant=scope.tenant),
            UpdateSite(site_id, changes),
            villages=[changes.village_id],
        )
        return accepted(site_id, stored)

    @router.post("/{site_id}/close")
    async def close(
        scope: AdminWrite, site_id: str, body: CloseSiteBody, runtime: Runtime
    ) -> Accepted:
        command = CloseSite(
            site_id, checked("reason", values.text, body.reason), body.closed_on or today()
        )
        stored = await run_command(
            runtime.database, runtime.event_store, CommandContext(tenant=scope.tenant), command
        )
        return accepted(site_id, stored)

    @router.get("", response_model=SitePage)
    async def list_sites(
        scope: Villages,
        runtime: Runtime,
        page: Annotated[Page, Depends(paging)],
        village_id: str | None = None,
        site_type: str | None = None,
        status: Literal["active", "closed", "all"] = "active",
        q: str | None = None,
    ) -> object:
        kind = checked("site_type", values.site_type, site_type).value if site_type else None
        async with runtime.database.pool.acquire() as conn:
            found = await queries.list_sites(
                conn,
                scope.township,
                page,
                village_id=scope.village_filter(village_id),
                site_type=kind,
                status=status,
                q=q,
            )
        # The full numbers are for the township's own administration only (its 检查安排表).
        if scope.principal.role is not Role.TOWNSHIP_ADMIN:
            for site in found["items"]:
                site["responsible_phone"] = None
        return found

    @router.get("/{site_id}", response_model=SiteRecord)
    async def get(scope: Villages, site_id: str, runtime: Runtime) -> object:
        async with runtime.database.pool.acquire() as conn:
            site = await queries.get_site(conn, scope.township, site_id)
        if site is None:
            raise NotFound("registry.site.unknown", site_id=site_id)
        scope.authorize(site["village_id"])
        # The full number is for the township's own administration only.
        if scope.principal.role is not Role.TOWNSHIP_ADMIN:
            site["responsible_phone"] = None
        return site

    return router
