"""Photo and document evidence: upload the raw bytes, refer to them by id."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Request
from fastapi.responses import Response

from crosscheck_hazards.adapters import evidence_index
from crosscheck_hazards.adapters.blobs import ALLOWED_TYPES, MAX_BYTES
from crosscheck_hazards.api.deps import InventoryDep, Reporter, Services
from crosscheck_hazards.app.evidence import readable_evidence
from crosscheck_platform.auth.deps import CurrentPrincipal
from crosscheck_platform.errors import NotFound, RuleViolation
from crosscheck_platform.http import Runtime
from crosscheck_platform.i18n import register
from crosscheck_platform.tenancy import acting_tenant, own_village

register(
    {
        "evidence.type": (
            "证据文件类型不支持(支持 JPEG、PNG、WebP 图片和 PDF)",
            "Unsupported evidence type (JPEG, PNG, WebP images and PDF are accepted).",
        ),
        "evidence.size": (
            "证据文件为空或超过 10 MB",
            "The evidence file is empty or larger than 10 MB.",
        ),
    }
)


async def _body_within_limit(request: Request) -> bytes:
    """The upload, refused as soon as it is known to pass the limit: by its declared
    length before anything is read, else while its chunks arrive, so an oversized
    upload is never held in memory whole."""
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > MAX_BYTES):
        raise RuleViolation("evidence.size")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BYTES:
            raise RuleViolation("evidence.size")
        chunks.append(chunk)
    if size == 0:
        raise RuleViolation("evidence.size")
    return b"".join(chunks)


def router() -> APIRouter:
    r = APIRouter(prefix="/v1/evidence", tags=["evidence"])

    @r.post("", status_code=201)
    async def upload(
        request: Request,
        principal: Reporter,
        services: Services,
        runtime: Runtime,
        content_type: Annotated[str, Header()] = "",
    ) -> dict[str, str]:
        tenant = acting_tenant(principal)
        kind = content_type.split(";")[0].strip().lower()
        if kind not in ALLOWED_TYPES:
            raise RuleViolation("evidence.type")
        data = await _body_within_limit(request)
        evidence_id = await services.blobs.put(tenant.township, data, kind)
        # A village committee reads back what it uploaded; the township's staff read
        # whatever the township holds.
        await evidence_index.record_upload(
            runtime.database, tenant, evidence_id, own_village(principal)
        )
        return {"evidence_id": evidence_id}

    @r.get("/{evidence_id}")
    async def download(
        evidence_id: str,
        principal: CurrentPrincipal,
        services: Services,
        inventory: InventoryDep,
    ) -> Response:
        found = await readable_evidence(
            services.blobs, inventory.db, inventory, principal, evidence_id
        )
        if found is None:
            raise NotFound()
        data, kind = found
        return Response(data, media_type=kind)

    return r
