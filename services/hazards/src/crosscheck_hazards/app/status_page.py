"""The public status page of a notice (the QR code's target): where each of its hazards
stands — the checklist's words for it, its state, deadline and the date of its last
step. Nothing personal: no names, no phones, not even the inspector's free text.
In Chinese by default, in English on request: the states, categories and severities from
the shared vocabulary, each hazard as the checklist's English wording of its check."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from crosscheck_contracts.events.hazards import (
    CATEGORY_LABELS,
    SEVERITY_LABELS,
    STATUS_LABELS,
    HazardStatus,
)
from crosscheck_hazards.adapters.inventory import Inventory
from crosscheck_hazards.app.history import history
from crosscheck_hazards.app.notice import local_date
from crosscheck_hazards.domain.checklists import ChecklistItem
from crosscheck_hazards.domain.hazard import Hazard
from crosscheck_hazards.domain.inspection import Inspection
from crosscheck_platform.clock import CHINA_STANDARD_TIME
from crosscheck_platform.eventstore import EventStore
from crosscheck_platform.i18n import DEFAULT_LANGUAGE, Language


@dataclass(frozen=True)
class StatusLine:
    number: int
    hazard: str
    category: str
    severity: str
    state: str
    status: HazardStatus
    deadline: str
    last_step_on: str


@dataclass(frozen=True)
class StatusPage:
    reference: str
    township: str
    inspected_on: str
    lines: tuple[StatusLine, ...]
    as_of: str
    lang: Language = DEFAULT_LANGUAGE


async def status_page(
    store: EventStore,
    inventory: Inventory,
    township: str,
    inspection_id: str,
    items: dict[str, ChecklistItem],
    now: datetime,
    lang: Language = DEFAULT_LANGUAGE,
) -> StatusPage:
    en = 1 if lang == "en" else 0

    def date(value: datetime) -> str:
        return value.astimezone(CHINA_STANDARD_TIME).date().isoformat() if en else local_date(value)

    inspection = Inspection.rehydrate(
        inspection_id, (e.event for e in await store.read(inspection_id))
    )
    done, notice = inspection.completed, inspection.notice
    assert done is not None and notice is not None  # a link is issued with its notice
    lines = []
    for n, hazard_id in enumerate(inspection.hazard_ids, start=1):
        stored = await store.read(hazard_id)
        hazard = Hazard.rehydrate(hazard_id, (e.event for e in stored))
        found = hazard.found
        assert found is not None and hazard.state is not None
        item = items.get(found.checklist_item_id)
        status = hazard.state
        steps = history(hazard_id, stored, "zh").steps
        lines.append(
            StatusLine(
                number=n,
                hazard=_wording(item, en) or CATEGORY_LABELS[found.category][en],
                category=CATEGORY_LABELS[found.category][en],
                severity=SEVERITY_LABELS[found.severity][en],
                state=STATUS_LABELS[status][en],
                status=status,
                deadline=date(hazard.deadline) if hazard.deadline else "",
                last_step_on=date(steps[-1].at),
            )
        )
    township_name = await inventory.township_name(township) or ""
    return StatusPage(
        reference=notice.file_number,
        township=township_name,
        inspected_on=date(done.inspected_at),
        lines=tuple(lines),
        as_of=date(now),
        lang=lang,
    )


def _wording(item: ChecklistItem | None, en: int) -> str:
    """The hazard in the checklist's words: its hazard text, or in English the check it
    failed (a township's own item may have no English; the category stands in)."""
    if item is None:
        return ""
    if not en:
        return item.hazard
    return f"Failed check: {item.check_en}" if item.check_en else ""
