"""What the hazards service answers, as the OpenAPI documents show them.

Times are the ISO 8601 strings the views write (with their offset), so the answer a
retry replays from the idempotency record is the one first sent, byte for byte.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field

from crosscheck_hazards.domain.states import HazardCommand, HazardState

Timestamp = Annotated[str, Field(json_schema_extra={"format": "date-time"})]


class HazardAnswer(BaseModel):
    """A hazard (隐患) and where it stands in the rectification loop; every command on a
    hazard answers it as it is after the command."""

    hazard_id: str
    state: HazardState
    allowed_commands: list[HazardCommand] = Field(description="what may be done next")
    version: int
    inspection_id: str
    campaign_id: str
    round_no: int
    site_id: str
    village_id: str
    group_id: str
    checklist_item_id: str | None
    category: str
    severity: str
    description: str
    found_at: Timestamp
    evidence_ids: list[str]
    recurrence_of: str | None
    deadline: Timestamp | None
    responsible_person_name: str | None
    supervising_village_id: str | None
    escalation: str | None
    rejections: int
    closed_at: Timestamp | None


class InspectionAnswer(BaseModel):
    """A recorded inspection (检查记录) of one place in one round."""

    inspection_id: str
    campaign_id: str
    round_no: int
    site_id: str
    village_id: str
    group_id: str
    inspected_at: Timestamp
    present_staff_ids: list[str]
    items_checked: int
    items_failed: int
    hazard_ids: list[str]
    override_reason: str | None
    checklist_version: str | None = Field(default=None, description="the checklist used")
    notes: str | None = None


class HazardRecorded(BaseModel):
    hazard_id: str
    checklist_item_id: str | None
    severity: str
    recurrence_of: str | None = Field(description="the closed hazard this one repeats")
    escalation: str | None


class InspectionRecorded(InspectionAnswer):
    """The inspection as recorded, with the hazards it found."""

    hazards: list[HazardRecorded]


class ChecklistItem(BaseModel):
    item_id: str
    category: str
    check: str = Field(description="what to check, in Chinese")
    check_en: str
    hazard: str = Field(description="the hazard a failed check records")
    action: str = Field(description="the rectification asked for")
    severity: str
    basis: str = Field(description="the article a failed check breaches (依据); may be empty")


class ChecklistAnswer(BaseModel):
    """The checklist of a place type, with the township's own items."""

    checklist_id: str
    version: str
    site_type: str
    items: list[ChecklistItem]


class ItemAdded(BaseModel):
    item_id: str


class Position(BaseModel):
    lat: float
    lon: float


class EvidenceStored(BaseModel):
    """The stored evidence and where and when it was taken, as recorded with its first
    upload (the same bytes uploaded again keep that record)."""

    evidence_id: str
    uploaded_at: datetime
    taken_at: datetime | None = Field(description="when it was taken, if known")
    time_source: str | None = Field(description="`exif` or `device`; null when unknown")
    location: Position | None = Field(description="where it was taken (WGS 84), if known")
    position_source: str | None = Field(description="`exif` or `device`; null when unknown")
