"""The rectification loop over HTTP: one POST per command, GET for the hazard."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header
from fastapi.responses import JSONResponse
from pydantic import TypeAdapter, ValidationError

from crosscheck_contracts.fields import Id
from crosscheck_hazards.adapters import presence
from crosscheck_hazards.adapters.evidence_index import captures
from crosscheck_hazards.adapters.verifiers import may_verify
from crosscheck_hazards.api import bodies
from crosscheck_hazards.api.answers import HazardAnswer
from crosscheck_hazards.api.deps import (
    Admin,
    IdempotencyDep,
    Inspector,
    OnSiteStaff,
    Reporter,
    Services,
    answer,
)
from crosscheck_hazards.app import commands
from crosscheck_hazards.app.evidence import require_evidence
from crosscheck_hazards.app.hazards import (
    act_on_hazard,
    hazard_villages,
    load_hazard,
)
from crosscheck_hazards.app.history import History, history
from crosscheck_hazards.app.loading import load_with_history
from crosscheck_hazards.app.runner import run
from crosscheck_hazards.app.services import HazardsServices
from crosscheck_hazards.app.views import hazard_view
from crosscheck_hazards.domain.hazard import Hazard, Verifier
from crosscheck_hazards.domain.presence import PresenceCheck
from crosscheck_platform.auth import Principal, Role
from crosscheck_platform.auth.deps import CurrentPrincipal
from crosscheck_platform.errors import RuleViolation
from crosscheck_platform.http import Runtime, ServiceRuntime
from crosscheck_platform.i18n import preferred_language
from crosscheck_platform.tenancy import acting_tenant
from crosscheck_platform.unit_of_work import IdempotencyKey

_EVENT_ID = TypeAdapter(Id)


def _recordable_id(value: str | None, message_key: str) -> str:
    """An account id as it will stand in an event. Tokens bound ids more loosely than
    the event contracts do, and an id that does not fit must be a clear refusal, not
    an event that fails to build."""
    if value is None:
        raise RuleViolation(message_key)
    try:
        return _EVENT_ID.validate_python(value)
    except ValidationError:
        raise RuleViolation(message_key) from None


def _staff_id(principal: Principal) -> str:
    return _recordable_id(principal.staff_id, "hazard.staff_required")


async def _run(
    runtime: ServiceRuntime,
    principal: Principal,
    services: HazardsServices,
    idem: IdempotencyKey | None,
    command: commands.HazardCommand,
) -> JSONResponse:
    decide = act_on_hazard(command, principal, services)
    return answer(await run(runtime.event_store, acting_tenant(principal), decide, idem))


router = APIRouter(prefix="/v1/hazards", tags=["hazards"])


@router.get("/{hazard_id}", response_model=HazardAnswer)
async def get_hazard(hazard_id: str, principal: CurrentPrincipal, runtime: Runtime) -> object:
    hazard, _ = await load_hazard(runtime.event_store, hazard_id, principal, write=False)
    return hazard_view(hazard)


@router.get("/{hazard_id}/history")
async def get_history(
    hazard_id: str,
    principal: CurrentPrincipal,
    runtime: Runtime,
    accept_language: Annotated[str | None, Header()] = None,
) -> History:
    """Every step of the hazard in order: who did it (name, role), when, what it
    changed and the evidence it cites."""
    _, _, stored = await load_with_history(
        runtime.event_store,
        Hazard,
        hazard_id,
        principal,
        write=False,
        missing="hazard.not_found",
        villages=hazard_villages,
    )
    return history(hazard_id, stored, preferred_language(accept_language))


@router.post("/{hazard_id}/notify", response_model=HazardAnswer)
async def notify(
    hazard_id: str,
    body: bodies.Notify,
    principal: Inspector,
    runtime: Runtime,
    services: Services,
    idem: IdempotencyDep,
) -> JSONResponse:
    command = commands.Notify(hazard_id, _staff_id(principal), body.told_person_name, body.signed)
    return await _run(runtime, principal, services, idem, command)


@router.post("/{hazard_id}/assign", response_model=HazardAnswer)
async def assign(
    hazard_id: str,
    body: bodies.Assign,
    principal: Inspector,
    runtime: Runtime,
    services: Services,
    idem: IdempotencyDep,
) -> JSONResponse:
    command = commands.Assign(
        hazard_id,
        responsible_person_name=body.responsible_person_name,
        responsible_staff_id=body.responsible_staff_id,
        supervising_village_id=body.supervising_village_id,
        deadline=body.deadline,
    )
    return await _run(runtime, principal, services, idem, command)


@router.post("/{hazard_id}/report", response_model=HazardAnswer)
async def report(
    hazard_id: str,
    body: bodies.Report,
    principal: Reporter,
    runtime: Runtime,
    services: Services,
    idem: IdempotencyDep,
) -> JSONResponse:
    await require_evidence(
        services.blobs, runtime.database, principal, acting_tenant(principal), body.evidence_ids
    )

    village = principal.village_id if principal.role is Role.VILLAGE_COMMITTEE else None
    command = commands.Report(hazard_id, body.note, tuple(body.evidence_ids), village)
    return await _run(runtime, principal, services, idem, command)


@router.post("/{hazard_id}/verify", response_model=HazardAnswer)
async def verify(
    hazard_id: str,
    body: bodies.Verify,
    principal: Inspector,
    runtime: Runtime,
    services: Services,
    idem: IdempotencyDep,
) -> JSONResponse:
    """现场复核 passed. Never by whoever reported the fix nor the responsible person;
    by a member of the group that found the hazard or of a group assigned to its zone
    in a later round; a township administrator may verify outside that rule with an
    `override_reason`. A major hazard needs a photo taken after the report."""
    is_admin = principal.role is Role.TOWNSHIP_ADMIN
    staff = (
        _recordable_id(principal.staff_id or principal.subject, "hazard.staff_required")
        if is_admin
        else _staff_id(principal)
    )
    tenant = acting_tenant(principal)
    await require_evidence(services.blobs, runtime.database, principal, tenant, body.evidence_ids)
    loaded, _ = await load_hazard(runtime.event_store, hazard_id, principal, write=True)
    assert loaded.found is not None
    verifier = Verifier(
        staff_id=staff,
        in_eligible_group=principal.staff_id is not None
        and await may_verify(runtime.database, tenant.township, loaded.found, staff),
        is_admin=is_admin,
        override_reason=body.override_reason,
        presence=PresenceCheck(
            captures=tuple(await captures(runtime.database, tenant.township, body.evidence_ids)),
            place=await presence.place_position(
                runtime.database, tenant.township, loaded.found.site_id
            ),
            rule=await presence.rule_of(runtime.database, tenant.township),
        ),
    )

    command = commands.Verify(hazard_id, verifier, body.note, tuple(body.evidence_ids))
    return await _run(runtime, principal, services, idem, command)


@router.post("/{hazard_id}/reject", response_model=HazardAnswer)
async def reject(
    hazard_id: str,
    body: bodies.Reject,
    principal: OnSiteStaff,
    runtime: Runtime,
    services: Services,
    idem: IdempotencyDep,
) -> JSONResponse:
    staff = _staff_id(principal)

    command = commands.Reject(hazard_id, staff, body.reason, body.new_deadline)
    return await _run(runtime, principal, services, idem, command)


@router.post("/{hazard_id}/extend", response_model=HazardAnswer)
async def extend(
    hazard_id: str,
    body: bodies.Extend,
    principal: Admin,
    runtime: Runtime,
    services: Services,
    idem: IdempotencyDep,
) -> JSONResponse:
    # The approver is the administrator who grants it, recorded by their staff id
    # (or user id when the account is not on the inspection staff).
    approver = _recordable_id(
        principal.staff_id or principal.subject, "hazard.approver_unrecordable"
    )

    command = commands.Extend(hazard_id, body.new_deadline, body.reason, approver)
    return await _run(runtime, principal, services, idem, command)


@router.post("/{hazard_id}/escalate", response_model=HazardAnswer)
async def escalate(
    hazard_id: str,
    body: bodies.Escalate,
    principal: Admin,
    runtime: Runtime,
    services: Services,
    idem: IdempotencyDep,
) -> JSONResponse:
    command = commands.Escalate(hazard_id, body.level, body.reason)
    return await _run(runtime, principal, services, idem, command)
