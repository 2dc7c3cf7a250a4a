"""Photo and document evidence: upload the raw bytes, refer to them by id.

An upload is refused with 415 when its declared type is not one evidence may have or
its content does not carry that type's signature, with 413 past the size limit (while it
is read), with 422 when empty. A download carries the checked type, `nosniff`, and is
shown in place only when it is an image."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import Response
from pydantic import AwareDatetime, BaseModel, Field

from crosscheck_contracts.events.registry import GeoPoint
from crosscheck_hazards.adapters import evidence_index
from crosscheck_hazards.adapters.evidence_index import Taken
from crosscheck_hazards.adapters.exif import ExifCapture, read_capture
from crosscheck_hazards.api.answers import EvidenceStored, Position
from crosscheck_hazards.api.deps import InventoryDep, Reporter, Services
from crosscheck_hazards.app.evidence import (
    EVIDENCE_TYPES,
    MAX_BYTES,
    checked_evidence,
    declared_type,
    readable_evidence,
    readable_township,
    served_type,
)
from crosscheck_hazards.app.inspections import visiting_tenant
from crosscheck_platform import media
from crosscheck_platform.auth.deps import CurrentPrincipal
from crosscheck_platform.errors import NotFound
from crosscheck_platform.http import Runtime
from crosscheck_platform.http.files import content_disposition, read_body
from crosscheck_platform.tenancy import own_village

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


class DeviceCapture(BaseModel):
    """When and where the browser or phone says the evidence was taken."""

    taken_at: AwareDatetime | None = None
    lat: float | None = Field(default=None, ge=-90, le=90, allow_inf_nan=False)
    lon: float | None = Field(default=None, ge=-180, le=180, allow_inf_nan=False)


def taken(exif: ExifCapture | None, device: DeviceCapture, uploaded_at: datetime) -> Taken:
    """EXIF first (the camera's own record), the device's word otherwise. No time later
    than the upload is believed: it would make an old photo look taken after a step."""
    exif = exif or ExifCapture()
    device_at = device.taken_at
    device_point = (
        GeoPoint(lat=device.lat, lon=device.lon)
        if device.lat is not None and device.lon is not None
        else None
    )
    at = exif.taken_at or device_at
    return Taken(
        taken_at=min(at, uploaded_at) if at else None,
        time_source="exif" if exif.taken_at else "device" if device_at else None,
        location=exif.location or device_point,
        position_source="exif" if exif.location else "device" if device_point else None,
    )


_BINARY = {"schema": {"type": "string", "format": "binary"}}


router = APIRouter(prefix="/v1/evidence", tags=["evidence"])


@router.post(
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
    device: Annotated[DeviceCapture, Query()],
    inventory: InventoryDep,
    content_type: Annotated[str, Header()] = "",
    campaign_id: Annotated[
        str | None,
        Query(
            max_length=64,
            description="A visiting team's member (county campaign): the campaign of the "
            "township inspected, where the inspection citing this evidence is recorded",
        ),
    ] = None,
) -> EvidenceStored:
    """Store a photo or document. The browser or phone may say when and where it was
    taken (`taken_at`, `lat`, `lon`); the photo's own EXIF, when it has one, is
    believed first."""
    tenant = await visiting_tenant(inventory, principal, campaign_id)
    kind = declared_type(content_type)
    data = checked_evidence(kind, await read_body(request, MAX_BYTES))
    evidence_id = await services.blobs.put(tenant.township, data, kind)
    exif = await asyncio.to_thread(read_capture, data) if media.is_image(kind) else None
    now = services.clock()
    # A village committee reads back what it uploaded; the township's staff read
    # whatever the township holds.
    stored = await evidence_index.record_upload(
        runtime.database,
        tenant,
        evidence_id,
        own_village(principal),
        kind=kind,
        at=now,
        taken=taken(exif, device, now),
    )
    return _answer(evidence_id, stored)


def _answer(evidence_id: str, stored: evidence_index.Stored) -> EvidenceStored:
    location = stored.location
    return EvidenceStored(
        evidence_id=evidence_id,
        uploaded_at=stored.uploaded_at,
        taken_at=stored.taken_at,
        time_source=stored.time_source,
        location=Position(lat=location.lat, lon=location.lon) if location else None,
        position_source=stored.position_source,
    )


@router.get("/{evidence_id}/capture")
async def capture(
    evidence_id: str, principal: CurrentPrincipal, runtime: Runtime
) -> EvidenceStored:
    """When and where the evidence was taken, as recorded with its first upload (what a
    page shows beside the photo); 404 for evidence stored before uploads were recorded."""
    township = await readable_township(runtime.database, principal, evidence_id)
    found = (
        await evidence_index.stored(runtime.database, township, evidence_id) if township else None
    )
    if found is None:
        raise NotFound()
    return _answer(evidence_id, found)


@router.get(
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
    found = await readable_evidence(services.blobs, inventory.db, inventory, principal, evidence_id)
    if found is None:
        raise NotFound()
    data, stored = found
    kind = served_type(stored, data)
    return Response(data, media_type=kind, headers=download_headers(evidence_id, kind))
