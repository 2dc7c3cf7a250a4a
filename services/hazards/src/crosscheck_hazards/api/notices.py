"""The rectification notice of an inspection, as printable HTML and as PDF, and the
public status page its QR code opens (no sign-in; a random token, revocable)."""

from __future__ import annotations

import asyncio
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Header, Query
from fastapi.responses import HTMLResponse, Response

from crosscheck_hazards.adapters import notice_records
from crosscheck_hazards.adapters.inspection_facts import township_items
from crosscheck_hazards.adapters.inventory import Inventory
from crosscheck_hazards.adapters.notice_html import render_html
from crosscheck_hazards.adapters.notice_pdf import render_pdf
from crosscheck_hazards.adapters.status_html import render_status
from crosscheck_hazards.api.deps import Admin, InventoryDep, Services
from crosscheck_hazards.app.hazards import load_hazard
from crosscheck_hazards.app.inspections import load_inspection
from crosscheck_hazards.app.notice import Issue, Notice, assemble
from crosscheck_hazards.app.notice_issue import STATUS_PATH, issue
from crosscheck_hazards.app.services import HazardsServices
from crosscheck_hazards.app.status_page import status_page
from crosscheck_hazards.domain.checklists import ChecklistItem
from crosscheck_platform.auth import Principal
from crosscheck_platform.auth.deps import CurrentPrincipal
from crosscheck_platform.errors import NotFound
from crosscheck_platform.http import Runtime, ServiceRuntime
from crosscheck_platform.http.security import PAGE_POLICY
from crosscheck_platform.i18n import Language, preferred_language

# A page to print or show: its inline styles and images apply, nothing else may load.
_PAGE_HEADERS = {"Content-Language": "zh-CN", "Content-Security-Policy": PAGE_POLICY}


async def _items(
    runtime: ServiceRuntime, services: HazardsServices, township: str
) -> dict[str, ChecklistItem]:
    own = await township_items(runtime.database, township)
    return dict(services.checklists.items) | {t.item.item_id: t.item for t in own}


async def notice_of(
    inspection_id: str,
    principal: Principal,
    runtime: ServiceRuntime,
    inventory: Inventory,
    services: HazardsServices,
) -> Notice:
    store = runtime.event_store
    inspection, tenant = await load_inspection(store, inspection_id, principal)
    hazards = [
        (await load_hazard(store, h, principal, write=False))[0] for h in inspection.hazard_ids
    ]
    file_number, url = await issue(store, inventory, services, principal, tenant, inspection_id)
    items = await _items(runtime, services, tenant.township)
    return await assemble(
        inspection,
        hazards,
        tenant.township,
        inventory,
        items,
        services.clock(),
        Issue(file_number, url),
    )


router = APIRouter(prefix="/v1/inspections", tags=["notices"])


@router.get("/{inspection_id}/notice", response_class=HTMLResponse)
async def notice_html(
    inspection_id: str,
    principal: CurrentPrincipal,
    runtime: Runtime,
    inventory: InventoryDep,
    services: Services,
) -> HTMLResponse:
    notice = await notice_of(inspection_id, principal, runtime, inventory, services)
    return HTMLResponse(render_html(notice), headers=_PAGE_HEADERS)


@router.get(
    "/{inspection_id}/notice.pdf",
    response_class=Response,
    responses={
        200: {
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            "description": "The rectification notice (隐患整改通知书) as PDF.",
        }
    },
)
async def notice_pdf(
    inspection_id: str,
    principal: CurrentPrincipal,
    runtime: Runtime,
    inventory: InventoryDep,
    services: Services,
) -> Response:
    notice = await notice_of(inspection_id, principal, runtime, inventory, services)
    pdf = await asyncio.to_thread(render_pdf, notice)
    filename = quote(f"隐患整改通知书-{notice.reference}.pdf")
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f"inline; filename*=UTF-8''{filename}"},
    )


@router.post("/{inspection_id}/notice/revoke-link", status_code=204)
async def revoke_link(
    inspection_id: str, principal: Admin, runtime: Runtime, services: Services
) -> Response:
    """The notice's status page opens no more; the next print carries a new link."""
    _, tenant = await load_inspection(runtime.event_store, inspection_id, principal)
    await notice_records.revoke(runtime.database, tenant.township, inspection_id, services.clock())
    return Response(status_code=204)


public_router = APIRouter(prefix=STATUS_PATH, tags=["public"])


@public_router.get("/{token}", response_class=HTMLResponse)
async def status(
    token: str,
    runtime: Runtime,
    inventory: InventoryDep,
    services: Services,
    lang: Annotated[Language | None, Query()] = None,
    accept_language: Annotated[str | None, Header()] = None,
) -> HTMLResponse:
    """Where the hazards of a notice stand; no sign-in, no personal data. In Chinese, or
    in English with `?lang=en` (which wins) or `Accept-Language: en`."""
    chosen = lang or preferred_language(accept_language)
    found = await notice_records.linked(runtime.database, token)
    if found is None:
        raise NotFound()
    township, inspection_id = found
    page = await status_page(
        runtime.event_store,
        inventory,
        township,
        inspection_id,
        await _items(runtime, services, township),
        services.clock(),
        chosen,
    )
    headers = _PAGE_HEADERS | {
        "Content-Language": "en" if chosen == "en" else "zh-CN",
        "Vary": "Accept-Language",
        "Cache-Control": "no-store",
        "Referrer-Policy": "no-referrer",
    }
    return HTMLResponse(render_status(page), headers=headers)
