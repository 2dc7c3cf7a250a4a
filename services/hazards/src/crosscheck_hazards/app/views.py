"""JSON answers: how hazards and inspections look to clients."""

from __future__ import annotations

from typing import Any

from crosscheck_hazards.domain.hazard import Hazard
from crosscheck_hazards.domain.inspection import Inspection


def hazard_view(hazard: Hazard) -> dict[str, Any]:
    found = hazard.found
    assert found is not None and hazard.state is not None
    return {
        "hazard_id": hazard.id,
        "state": hazard.state.value,
        "allowed_commands": [c.value for c in hazard.allowed()],
        "version": hazard.version,
        "inspection_id": found.inspection_id,
        "campaign_id": found.campaign_id,
        "round_no": found.round_no,
        "site_id": found.site_id,
        "village_id": found.village_id,
        "group_id": found.group_id,
        "checklist_item_id": found.checklist_item_id,
        "category": found.category.value,
        "severity": found.severity.value,
        "description": found.description,
        "found_at": found.found_at.isoformat(),
        "evidence_ids": list(found.evidence_ids),
        "recurrence_of": found.recurrence_of,
        "deadline": hazard.deadline.isoformat() if hazard.deadline else None,
        "responsible_person_name": hazard.responsible_person_name,
        "supervising_village_id": hazard.supervising_village_id,
        "escalation": hazard.escalation.value if hazard.escalation else None,
        "rejections": hazard.rejections,
        "closed_at": hazard.closed_at.isoformat() if hazard.closed_at else None,
    }


def inspection_view(inspection: Inspection) -> dict[str, Any]:
    done = inspection.completed
    assert done is not None
    return {
        "inspection_id": inspection.id,
        "campaign_id": done.campaign_id,
        "round_no": done.round_no,
        "site_id": done.site_id,
        "village_id": done.village_id,
        "group_id": done.group_id,
        "inspected_at": done.inspected_at.isoformat(),
        "present_staff_ids": list(done.present_staff_ids),
        "items_checked": done.items_checked,
        "items_failed": done.items_failed,
        "hazard_ids": list(done.hazard_ids),
        "override_reason": done.override_reason,
    }
