"""The rectification notice of an inspection, as printable HTML and as PDF."""

from __future__ import annotations

import asyncio
from urllib.parse import quote

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from crosscheck_hazards.adapters.inspection_facts import township_items
from crosscheck_hazards.adapters.notice_html import render_html
from crosscheck_hazards.adapters.notice_pdf import render_pdf
from crosscheck_hazards.api.deps import InventoryDep, Services
from crosscheck_hazards.app.hazards import load_hazard
from crosscheck_hazards.app.inspections import load_inspection
from crosscheck_hazards.app.notice import Notice, assemble
from crosscheck_platform.auth import Principal
from crosscheck_platform.auth.deps import CurrentPrincipal
from crosscheck_platform.http import Runtime, ServiceRuntime
from crosscheck_platform.http.security import PAGE_POLICY


async def notice_of(
    inspection_id: str,
    principal: Principal,
    runtime: ServiceRuntime,
    inventory: InventoryDep,
    services: Services,
) -> Notice:
    store = runtime.event_store
    inspection, tenant = await load_inspection(store, inspection_id, principal)
    hazards = [
        (await load_hazard(store, h, principal, write=False))[0] for h in inspection.hazard_ids
    ]
    own = await township_items(runtime.database, tenant.township)
    items = dict(services.checklists.items) | {t.item.item_id: t.item for t in own}
    return await assemble(inspection, hazards, tenant.township, inventory, items, services.clock())


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
    # A page to print: its inline styles must apply, and nothing else may load.
    headers = {"Content-Language": "zh-CN", "Content-Security-Policy": PAGE_POLICY}
    return HTMLResponse(render_html(notice), headers=headers)


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
    filename = quote(f"隐患整改通知书-{inspection_id[:8]}.pdf")
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f"inline; filename*=UTF-8''{filename}"},
    )
