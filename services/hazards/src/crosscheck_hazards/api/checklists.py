"""Checklists: what a place of a given type is inspected against in this township,
and the township's own items."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from crosscheck_contracts.events.registry import SiteType
from crosscheck_hazards.adapters.inspection_facts import township_items
from crosscheck_hazards.api import bodies
from crosscheck_hazards.api.answers import ChecklistAnswer, ItemAdded
from crosscheck_hazards.api.deps import Admin, Services
from crosscheck_hazards.domain.checklists import TOWNSHIP_ITEM_PREFIX, Checklist
from crosscheck_platform.auth import Forbidden
from crosscheck_platform.auth.deps import CurrentPrincipal
from crosscheck_platform.errors import StateConflict
from crosscheck_platform.http import Runtime
from crosscheck_platform.tenancy import acting_tenant


def checklist_view(checklist: Checklist) -> dict[str, Any]:
    return {
        "checklist_id": checklist.checklist_id,
        "version": checklist.version,
        "site_type": checklist.site_type.value,
        "items": [
            {
                "item_id": i.item_id,
                "category": i.category.value,
                "check": i.check,
                "check_en": i.check_en,
                "hazard": i.hazard,
                "action": i.action,
                "severity": i.severity.value,
                "basis": i.basis,
            }
            for i in checklist.items
        ],
    }


router = APIRouter(prefix="/v1/checklists", tags=["checklists"])


@router.get("/{site_type}", response_model=ChecklistAnswer)
async def checklist_for(
    site_type: SiteType, principal: CurrentPrincipal, runtime: Runtime, services: Services
) -> object:
    tenant = principal.tenant
    if tenant is None:
        raise Forbidden("forbidden.role", role=principal.role.value)
    extra = await township_items(runtime.database, tenant.township)
    return checklist_view(services.checklists.checklist_for(site_type, extra))


@router.post("/items", status_code=201)
async def add_township_item(
    body: bodies.AddTownshipItem, principal: Admin, runtime: Runtime, services: Services
) -> ItemAdded:
    tenant = acting_tenant(principal)
    item_id = f"{TOWNSHIP_ITEM_PREFIX}{tenant.township}.{body.key}"
    added = await runtime.database.fetchval(
        """INSERT INTO township_items (township, item_id, category, site_types,
               check_text, check_en, hazard, action, severity, added_at, basis)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
           ON CONFLICT DO NOTHING RETURNING true""",
        tenant.township,
        item_id,
        body.category.value,
        [s.value for s in body.site_types],
        body.check,
        body.check_en,
        body.hazard,
        body.action,
        body.severity.value,
        services.clock(),
        body.basis,
    )
    if not added:
        raise StateConflict("checklist.item_exists", item_id=item_id)
    return ItemAdded(item_id=item_id)
