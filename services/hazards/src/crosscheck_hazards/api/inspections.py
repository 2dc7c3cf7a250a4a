"""Recording inspections and reading them back with their hazards."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header
from fastapi.responses import JSONResponse

from crosscheck_hazards.adapters.hazard_index import inspection_details
from crosscheck_hazards.api import bodies
from crosscheck_hazards.api.answers import HazardAnswer, InspectionAnswer, InspectionRecorded
from crosscheck_hazards.api.deps import Command, IdempotencyDep, Inspector, answer
from crosscheck_hazards.app import inspections
from crosscheck_hazards.app.evidence import require_evidence
from crosscheck_hazards.app.hazards import load_hazard
from crosscheck_hazards.app.history import History, history
from crosscheck_hazards.app.inspections import inspection_villages, load_inspection
from crosscheck_hazards.app.loading import load_with_history
from crosscheck_hazards.app.runner import run
from crosscheck_hazards.app.views import hazard_view, inspection_view
from crosscheck_hazards.domain.inspection import Answer, Inspection
from crosscheck_platform.auth.deps import CurrentPrincipal
from crosscheck_platform.http import Runtime
from crosscheck_platform.i18n import preferred_language

router = APIRouter(prefix="/v1/inspections", tags=["inspections"])


@router.post("", status_code=201, response_model=InspectionRecorded)
async def record_inspection(
    body: bodies.RecordInspection,
    principal: Inspector,
    command: Command,
    idem: IdempotencyDep,
) -> JSONResponse:
    request = inspections.InspectionInput(
        campaign_id=body.campaign_id,
        round_no=body.round_no,
        site_id=body.site_id,
        group_id=body.group_id,
        inspected_at=body.inspected_at,
        present_staff_ids=tuple(body.present_staff_ids),
        answers=tuple(
            Answer(
                item_id=a.item_id,
                passed=a.passed,
                severity=a.severity,
                description=a.description,
                evidence_ids=tuple(a.evidence_ids),
            )
            for a in body.answers
        ),
        notes=body.notes,
        override_reason=body.override_reason,
    )
    tenant = await inspections.recording_tenant(command.inventory, principal, body.campaign_id)
    await require_evidence(
        command.services.blobs,
        command.runtime.database,
        principal,
        tenant,
        (e for a in body.answers for e in a.evidence_ids),
    )
    decide = inspections.record(command.inventory, command.services, principal, tenant, request)
    return answer(await run(command.runtime.event_store, tenant, decide, idem), 201)


@router.get("/{inspection_id}", response_model=InspectionAnswer)
async def get_inspection(
    inspection_id: str, principal: CurrentPrincipal, runtime: Runtime
) -> object:
    inspection, _ = await load_inspection(runtime.event_store, inspection_id, principal)
    details = await inspection_details(runtime.database, inspection_id)
    return inspection_view(inspection) | details


@router.get("/{inspection_id}/history")
async def get_history(
    inspection_id: str,
    principal: CurrentPrincipal,
    runtime: Runtime,
    accept_language: Annotated[str | None, Header()] = None,
) -> History:
    """The inspection's recorded steps: who recorded it (name, role) and when."""
    _, _, stored = await load_with_history(
        runtime.event_store,
        Inspection,
        inspection_id,
        principal,
        write=False,
        missing="inspection.not_found",
        villages=inspection_villages,
    )
    return history(inspection_id, stored, preferred_language(accept_language))


@router.get("/{inspection_id}/hazards", response_model=list[HazardAnswer])
async def list_hazards(inspection_id: str, principal: CurrentPrincipal, runtime: Runtime) -> object:
    inspection, _ = await load_inspection(runtime.event_store, inspection_id, principal)
    hazards = [
        (await load_hazard(runtime.event_store, h, principal, write=False))[0]
        for h in inspection.hazard_ids
    ]
    return [hazard_view(h) for h in hazards]
