"""Recording an inspection: read what the service knows about the place and the round,
let the domain decide, append the inspection and its hazards in one transaction."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from crosscheck_contracts.envelope import Tenant
from crosscheck_hazards.adapters.evidence_index import captures, citation_rows
from crosscheck_hazards.adapters.hazard_index import hazard_rows, inspection_details_rows
from crosscheck_hazards.adapters.inspection_facts import inspection_facts
from crosscheck_hazards.adapters.inventory import Inventory
from crosscheck_hazards.adapters.presence import first_position_rows
from crosscheck_hazards.app.actors import step_actor
from crosscheck_hazards.app.loading import load
from crosscheck_hazards.app.runner import Result
from crosscheck_hazards.app.services import HazardsServices
from crosscheck_hazards.app.views import inspection_view
from crosscheck_hazards.domain.assignment import Actor
from crosscheck_hazards.domain.errors import InspectionRuleViolation
from crosscheck_hazards.domain.inspection import (
    Answer,
    Inspection,
    InspectionReport,
    ensure_new,
    record_inspection,
)
from crosscheck_hazards.domain.presence import PresenceCheck, first_position
from crosscheck_platform.auth import Principal, Role
from crosscheck_platform.eventstore import EventStore
from crosscheck_platform.tenancy import acting_tenant
from crosscheck_platform.unit_of_work import Handler, UnitOfWork

# Inspection ids are derived from (township, campaign, round, place): recording the
# same place twice in a round hits the same stream and is refused.
_INSPECTION_NAMESPACE = uuid.UUID("6f1c2d4e-8a53-4c1e-9a57-3f0b8e1d2c40")


def actor_of(principal: Principal, *, visiting: bool = False) -> Actor:
    """A visiting team's member (county campaign) is no administrator of the township
    inspected, whatever their role at home."""
    return Actor(
        user_id=principal.subject,
        staff_id=principal.staff_id,
        is_admin=principal.role is Role.TOWNSHIP_ADMIN and not visiting,
        village_id=principal.village_id,
    )


async def recording_tenant(inventory: Inventory, principal: Principal, campaign_id: str) -> Tenant:
    """Where an inspection is recorded: the caller's township, or — for a township's
    part of a county campaign of the caller's county — the township inspected (whether
    the caller's team was sent there is the assignment rule's business)."""
    home = acting_tenant(principal)
    part = await inventory.county_part(campaign_id)
    if part is None or part.county != home.county:
        return home
    return part


async def visiting_tenant(
    inventory: Inventory, principal: Principal, campaign_id: str | None
) -> Tenant:
    """Where evidence is stored: the caller's township, or — for a member of a team of a
    county campaign of the caller's county — the township whose part `campaign_id` is,
    where the inspection citing it will be recorded."""
    home = acting_tenant(principal)
    if campaign_id is None or principal.staff_id is None:
        return home
    part = await recording_tenant(inventory, principal, campaign_id)
    if part == home or not await inventory.in_groups(
        part.township, campaign_id, principal.staff_id
    ):
        return home
    return part


def inspection_villages(inspection: Inspection) -> tuple[str | None]:
    done = inspection.completed
    return (done.village_id if done else None,)


async def load_inspection(
    store: EventStore, inspection_id: str, principal: Principal
) -> tuple[Inspection, Tenant]:
    """A recorded inspection for reading: it concerns the village of its place."""
    return await load(
        store,
        Inspection,
        inspection_id,
        principal,
        write=False,
        missing="inspection.not_found",
        villages=inspection_villages,
    )


def inspection_id_for(township: str, campaign_id: str, round_no: int, site_id: str) -> str:
    return str(uuid.uuid5(_INSPECTION_NAMESPACE, f"{township}/{campaign_id}/{round_no}/{site_id}"))


@dataclass(frozen=True)
class InspectionInput:
    """The request as the API layer read it; ids and defaults are filled in here."""

    campaign_id: str
    round_no: int
    site_id: str
    group_id: str
    inspected_at: datetime | None
    present_staff_ids: tuple[str, ...]
    answers: tuple[Answer, ...]
    notes: str | None = None
    override_reason: str | None = None

    def report(self, inspection_id: str, now: datetime) -> InspectionReport:
        return InspectionReport(
            inspection_id=inspection_id,
            campaign_id=self.campaign_id,
            round_no=self.round_no,
            group_id=self.group_id,
            inspected_at=self.inspected_at or now,
            present_staff_ids=self.present_staff_ids,
            answers=self.answers,
            override_reason=self.override_reason,
        )


def record(
    inventory: Inventory,
    services: HazardsServices,
    principal: Principal,
    tenant: Tenant,
    request: InspectionInput,
) -> Handler[Result]:
    inspection_id = inspection_id_for(
        tenant.township, request.campaign_id, request.round_no, request.site_id
    )

    async def decide(unit: UnitOfWork) -> Result:
        facts = await inspection_facts(
            inventory.db,
            township=tenant.township,
            site_id=request.site_id,
            campaign_id=request.campaign_id,
            round_no=request.round_no,
            inspection_id=inspection_id,
        )
        site = facts.site
        if site is None:
            raise InspectionRuleViolation("inspection.site_unknown", site_id=request.site_id)
        now = services.clock()
        report = request.report(inspection_id, now)
        if facts.recorded:
            existing = Inspection.rehydrate(
                inspection_id, (e.event for e in await unit.store.read(inspection_id))
            )
            ensure_new(existing)
        checklist = services.checklists.checklist_for(site.facts.site_type, facts.township_items)
        cited = [e for a in request.answers for e in a.evidence_ids]
        taken = tuple(await captures(inventory.db, tenant.township, cited)) if cited else ()
        place = site.position or first_position(taken)
        recorded = record_inspection(
            report,
            site=site.facts,
            checklist=checklist,
            plan=facts.plan,
            actor=actor_of(principal, visiting=tenant.township != principal.township),
            now=now,
            closed_before=facts.closed_before,
            new_hazard_id=lambda: str(uuid.uuid4()),
            recorded_by=step_actor(principal),
            presence=PresenceCheck(taken, place, facts.presence_rule),
        )
        hazards = recorded.hazards
        # A place the registry has no position for keeps the one its evidence gave.
        positions = (
            [first_position_rows(tenant, site.facts.site_id, place, inspection_id)]
            if place is not None and site.position is None
            else []
        )

        body = inspection_view(recorded.inspection) | {
            "checklist_version": checklist.version,
            "notes": request.notes,
            "hazards": [
                {
                    "hazard_id": h.id,
                    "checklist_item_id": h.found.checklist_item_id if h.found else None,
                    "severity": h.severity.value,
                    "recurrence_of": h.found.recurrence_of if h.found else None,
                    "escalation": h.escalation.value if h.escalation else None,
                }
                for h in hazards
            ],
        }
        for aggregate in [recorded.inspection, *hazards]:
            unit.add(aggregate)
        unit.write(
            inspection_details_rows(
                tenant,
                inspection_id=inspection_id,
                checklist_version=checklist.version,
                notes=request.notes,
            ),
            hazard_rows(tenant, hazards),
            *citation_rows(tenant, cited, [site.facts.village_id]),
            *positions,
        )
        return body

    return decide
