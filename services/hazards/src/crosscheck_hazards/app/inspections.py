"""Recording an inspection: read what the service knows about the place and the round,
let the domain decide, append the inspection and its hazards in one transaction."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from crosscheck_contracts.envelope import Tenant
from crosscheck_contracts.events.hazards import HazardCategory, Severity
from crosscheck_contracts.events.registry import SiteType
from crosscheck_hazards.adapters.hazard_index import index_hazards, latest_closed
from crosscheck_hazards.adapters.inventory import Inventory
from crosscheck_hazards.app.access import actor_of
from crosscheck_hazards.app.runner import Outcome
from crosscheck_hazards.app.services import HazardsServices
from crosscheck_hazards.app.views import inspection_view
from crosscheck_hazards.domain.checklists import ChecklistItem, TownshipItem
from crosscheck_hazards.domain.errors import InspectionRuleViolation
from crosscheck_hazards.domain.inspection import (
    Answer,
    Inspection,
    InspectionReport,
    ensure_new,
    record_inspection,
)
from crosscheck_platform.auth import Principal
from crosscheck_platform.db import Connection, Database
from crosscheck_platform.eventstore.postgres import PostgresEventStore

# Inspection ids are derived from (township, campaign, round, place): recording the
# same place twice in a round hits the same stream and is refused.
_INSPECTION_NAMESPACE = uuid.UUID("6f1c2d4e-8a53-4c1e-9a57-3f0b8e1d2c40")


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


async def township_items(db: Database, township: str) -> list[TownshipItem]:
    rows = await db.fetch(
        "SELECT * FROM township_items WHERE township = $1 ORDER BY added_at, item_id", township
    )
    return [
        TownshipItem(
            item=ChecklistItem(
                item_id=r["item_id"],
                category=HazardCategory(r["category"]),
                check=r["check_text"],
                check_en=r["check_en"],
                hazard=r["hazard"],
                action=r["action"],
                severity=Severity(r["severity"]),
            ),
            site_types=frozenset(SiteType(s) for s in r["site_types"]),
        )
        for r in rows
    ]


def record(
    store: PostgresEventStore,
    inventory: Inventory,
    services: HazardsServices,
    principal: Principal,
    tenant: Tenant,
    request: InspectionInput,
) -> Callable[[], Awaitable[Outcome]]:
    async def decide() -> Outcome:
        site = await inventory.site(tenant.township, request.site_id)
        if site is None:
            raise InspectionRuleViolation("inspection.site_unknown", site_id=request.site_id)
        now = services.clock()
        inspection_id = inspection_id_for(
            tenant.township, request.campaign_id, request.round_no, site.facts.site_id
        )
        report = request.report(inspection_id, now)
        if await store.stream_version(inspection_id):
            existing = Inspection.rehydrate(
                inspection_id, (e.event for e in await store.read(inspection_id))
            )
            ensure_new(existing)
        checklist = services.checklists.checklist_for(
            site.facts.site_type, await township_items(inventory.db, tenant.township)
        )
        plan = await inventory.plan(
            tenant.township, report.campaign_id, report.round_no, site.facts.site_id
        )
        recorded = record_inspection(
            report,
            site=site.facts,
            checklist=checklist,
            plan=plan,
            actor=actor_of(principal),
            now=now,
            closed_before=await latest_closed(inventory.db, tenant.township, site.facts.site_id),
            new_hazard_id=lambda: str(uuid.uuid4()),
        )
        hazards = recorded.hazards

        async def follow(conn: Connection) -> None:
            await index_hazards(conn, tenant, hazards)
            await conn.execute(
                """INSERT INTO inspection_details (inspection_id, township, checklist_version,
                                                  notes) VALUES ($1, $2, $3, $4)""",
                inspection_id,
                tenant.township,
                checklist.version,
                request.notes,
            )

        body = inspection_view(recorded.inspection) | {
            "checklist_version": checklist.version,
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
        return Outcome(
            aggregates=[recorded.inspection, *hazards], body=body, status=201, also=[follow]
        )

    return decide
