"""Photo and document evidence: upload the raw bytes, refer to them by id.

An upload is refused with 415 when its declared type is not one evidence may have or
its content does not carry that type's signature, with 413 past the size limit (while it
is read), with 422 when empty. A download carries the checked type, `nosniff`, and is
shown in place only when it is an image."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Request
from fastapi.responses import Response

from crosscheck_hazards.adapters import evidence_index
from crosscheck_hazards.api.answers import EvidenceStored
from crosscheck_hazards.api.deps import InventoryDep, Reporter, Services
from crosscheck_hazards.app.evidence import (
    EVIDENCE_TYPES,
    MAX_BYTES,
    checked_evidence,
    declared_type,
    readable_evidence,
    served_type,
)
from crosscheck_platform import media
from crosscheck_platform.auth.deps import CurrentPrincipal
from crosscheck_platform.errors import NotFound
from crosscheck_platform.http import Runtime
from crosscheck_platform.http.files import content_disposition, read_body
from crosscheck_platform.tenancy import acting_tenant, own_village

_EXTENSIONS = {
    media.JPEG: "jpg",
    media.PNG: "png",
    media.WEBP: "webp",
    media.HEIC: "heic",
    media.HEIF: "heif",
    media.PDF: "pdf",
}


def download_headers(evidence_id: str, kind: str) -> dict[str, str]:
    filename = f"{evidence_id}.{_EXTENSIONS.get(kind, 'bin')}"
    return {
        "Content-Disposition": content_disposition(
            "inline" if media.is_image(kind) else "attachment", filename
        ),
        "X-Content-Type-Options": "nosniff",
        # Should a browser ever render it as a page, it runs nothing and loads nothing.
        "Content-Security-Policy": "default-src 'none'; sandbox",
    }


_BINARY = {"schema": {"type": "string", "format": "binary"}}


def router() -> APIRouter:
    r = APIRouter(prefix="/v1/evidence", tags=["evidence"])

    @r.post(
        "",
        status_code=201,
        responses={
            413: {"description": f"Larger than {MAX_BYTES // (1024 * 1024)} MB"},
            415: {"description": "A type evidence may not have, or content not of that type"},
            422: {"description": "Empty"},
        },
    )
    async def upload(
        request: Request,
        principal: Reporter,
        services: Services,
        runtime: Runtime,
        content_type: Annotated[str, Header()] = "",
    ) -> EvidenceStored:
        tenant = acting_tenant(principal)
        kind = declared_type(content_type)
        data = checked_evidence(kind, await read_body(request, MAX_BYTES))
        evidence_id = await services.blobs.put(tenant.township, data, kind)
        # A village committee reads back what it uploaded; the township's staff read
        # whatever the township holds.
        await evidence_index.record_upload(
            runtime.database,
            tenant,
            evidence_id,
            own_village(principal),
            kind=kind,
            at=services.clock(),
        )
        return EvidenceStored(evidence_id=evidence_id)

    @r.get(
        "/{evidence_id}",
        response_class=Response,
        responses={
            200: {
                "content": {kind: _BINARY for kind in sorted(EVIDENCE_TYPES)},
                "description": "The photo or document, as stored.",
            }
        },
    )
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
        data, stored = found
        kind = served_type(stored, data)
        return Response(data, media_type=kind, headers=download_headers(evidence_id, kind))

    return r
