"""Hazards events: inspections and the closed loop of each hazard (整改闭环).

found → told on the spot (当场告知) → rectify by a deadline (限期整改) → re-verified on
site (现场复核) → closed (销号); a failed re-check sends it back with a new deadline.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, ClassVar, Self

from pydantic import Field, model_validator

from crosscheck_contracts.base import BoundedContext, Event, Payload
from crosscheck_contracts.events.registry import GeoPoint
from crosscheck_contracts.events.rotation import RoundNo
from crosscheck_contracts.fields import AwareDatetime, Code, Id, IdList, Name, Text

Count = Annotated[int, Field(ge=0, le=10_000)]


class HazardCategory(StrEnum):
    """What kind of hazard was found."""

    FIRE_SAFETY = "fire_safety"  # 消防设施
    ELECTRICITY = "electricity"  # 用电
    GAS = "gas"  # 用气
    FOOD_SAFETY = "food_safety"  # 食品安全 (e.g. expired food)
    ESCAPE_ROUTES = "escape_routes"  # 安全出口、疏散通道
    HAZARDOUS_MATERIALS = "hazardous_materials"  # 危险化学品
    OTHER = "other"


class Severity(StrEnum):
    """General hazard (一般隐患) or major hazard (重大隐患, reported upwards)."""

    GENERAL = "general"
    MAJOR = "major"


CATEGORY_LABELS: dict[str, tuple[str, str]] = {
    HazardCategory.FIRE_SAFETY: ("消防设施", "fire safety"),
    HazardCategory.ELECTRICITY: ("用电安全", "electricity"),
    HazardCategory.GAS: ("用气安全", "gas"),
    HazardCategory.FOOD_SAFETY: ("食品安全", "food safety"),
    HazardCategory.ESCAPE_ROUTES: ("安全出口与疏散通道", "escape routes"),
    HazardCategory.HAZARDOUS_MATERIALS: ("危险化学品", "hazardous materials"),
    HazardCategory.OTHER: ("其他", "other"),
}
"""(Chinese, English) of each category: one vocabulary for notices, ledgers and exports."""

SEVERITY_LABELS: dict[str, tuple[str, str]] = {
    Severity.GENERAL: ("一般隐患", "general"),
    Severity.MAJOR: ("重大隐患", "major"),
}
"""(Chinese, English) of each severity."""


class HazardStatus(StrEnum):
    """Where a hazard stands in its loop: one vocabulary for every service, ledger,
    notice and status page (the codes their APIs answer, the labels below)."""

    FOUND = "found"  # recorded, not yet told on the spot
    NOTIFIED = "notified"  # 当场告知
    RECTIFYING = "rectifying"  # 限期整改
    REPORTED = "reported"  # fix reported, awaiting 现场复核
    REJECTED = "rejected"  # re-check failed, back to rectification with a new deadline
    VERIFIED = "verified"  # 现场复核合格, closed (销号)


STATUS_LABELS: dict[str, tuple[str, str]] = {
    HazardStatus.FOUND: ("待告知", "found"),
    HazardStatus.NOTIFIED: ("已告知", "notified"),
    HazardStatus.RECTIFYING: ("整改中", "being rectified"),
    HazardStatus.REPORTED: ("待复核", "awaiting re-check"),
    HazardStatus.REJECTED: ("复核未通过", "re-check failed"),
    HazardStatus.VERIFIED: ("已销号", "verified and closed"),
}
"""(Chinese, English) of each status."""


class EscalationLevel(StrEnum):
    """Who a hazard's follow-up was handed up to."""

    VILLAGE_COMMITTEE = "village_committee"  # 村委会点对点督办
    TOWNSHIP_LEADERSHIP = "township_leadership"  # 乡党政领导
    COUNTY = "county"  # 县级部门


class Actor(Payload):
    """Who did a step, as their sign-in token said when they did it."""

    staff_id: Id | None = None
    """Their record on the township's inspection staff; null for an account that is not
    on it (a village committee's login, an administrator without a staff record)."""
    name: Name
    """Their name: staff are public officials acting in office."""
    role: Code
    """Their role, e.g. `inspector`, `group_leader`, `township_admin`, `village_committee`."""


class PresenceFlag(StrEnum):
    """Why the evidence of a step does not show someone was at the place when it was done."""

    FAR_FROM_PLACE = "far_from_place"
    """Taken farther from the place than the township's radius."""
    TAKEN_BEFORE_STEP = "taken_before_step"
    """Taken before what it proves (before the inspection's day, before the fix was
    reported)."""
    NO_POSITION = "no_position"
    """No evidence of the step carries a position, or the place has none to compare with."""


PRESENCE_FLAG_LABELS: dict[str, tuple[str, str]] = {
    PresenceFlag.FAR_FROM_PLACE: ("拍摄位置超出场所范围", "taken away from the place"),
    PresenceFlag.TAKEN_BEFORE_STEP: ("拍摄时间早于该环节", "taken before the step"),
    PresenceFlag.NO_POSITION: ("无定位信息", "no position"),
}
"""(Chinese, English) of each presence flag."""


class EvidencePresence(Payload):
    """Where and when one piece of evidence was taken, as far as it is known."""

    evidence_id: Id
    taken_at: AwareDatetime
    """When it was taken: the photo's EXIF time, else the device's, else its upload time."""
    time_source: Code
    """`exif`, `device` or `upload`."""
    location: GeoPoint | None = None
    """Where it was taken (EXIF GPS, else the device's position), if known."""
    distance_m: Annotated[int, Field(ge=0)] | None = None
    """Distance from the place, in metres, when both positions are known."""
    flags: list[PresenceFlag] = Field(default_factory=list)


class Presence(Payload):
    """Whether a step's evidence shows presence at the place: flagged, not refused (the
    township decides whether a major hazard's verification requires it)."""

    radius_m: Annotated[int, Field(ge=1, le=100_000)]
    """The township's radius at the time of the step."""
    place_location: GeoPoint | None = None
    """The place's position the evidence was compared with."""
    evidence: list[EvidencePresence] = Field(default_factory=list)
    flags: list[PresenceFlag] = Field(default_factory=list)
    """Every flag of the step (empty: the evidence shows presence)."""


class _HazardsEvent(Event):
    """v2 of every hazards event adds `actor`; v1 payloads are read with `actor` null."""

    context: ClassVar[BoundedContext] = BoundedContext.HAZARDS
    aggregate_field: ClassVar[str] = "hazard_id"
    schema_version: ClassVar[int] = 2

    actor: Actor | None = None
    """Who did this step. Null when a deadline worker did it, or for steps recorded
    before v2 (the account is then only known from fields such as `verified_by_staff_id`)."""


class InspectionCompleted(_HazardsEvent):
    """A group inspected a place against its checklist and recorded the result."""

    event_type: ClassVar[str] = "crosscheck.hazards.InspectionCompleted"
    aggregate_field: ClassVar[str] = "inspection_id"
    schema_version: ClassVar[int] = 3

    inspection_id: Id
    campaign_id: Id
    round_no: RoundNo
    site_id: Id
    village_id: Id
    group_id: Id
    inspected_at: AwareDatetime
    present_staff_ids: IdList = Field(min_length=1)
    """Staff who were actually on site."""
    items_checked: Count
    items_failed: Count
    hazard_ids: IdList
    """Hazards found in this inspection (each has its own HazardFound)."""
    override_reason: Text | None = None
    """Set when the inspection departed from the round's plan or recusal rules, and why."""
    presence: Presence | None = None
    """v3: whether the findings' evidence shows the group at the place that day (null
    before v3)."""

    @model_validator(mode="after")
    def _failed_within_checked(self) -> Self:
        if self.items_failed > self.items_checked:
            raise ValueError("items_failed exceeds items_checked")
        return self


class HazardFound(_HazardsEvent):
    """An inspection found a hazard (隐患) at a place; it enters the hazard list."""

    event_type: ClassVar[str] = "crosscheck.hazards.HazardFound"

    hazard_id: Id
    inspection_id: Id
    campaign_id: Id
    round_no: RoundNo
    site_id: Id
    village_id: Id
    group_id: Id
    checklist_item_id: Id
    category: HazardCategory
    severity: Severity
    description: Text
    found_at: AwareDatetime
    evidence_ids: IdList = Field(default_factory=list)
    """Photos or documents stored by the hazards service."""
    recurrence_of: Id | None = None
    """An earlier, closed hazard of the same place and item that came back."""


class HazardNotified(_HazardsEvent):
    """The responsible person was told of the hazard on the spot (当场告知) and signed, or not."""

    event_type: ClassVar[str] = "crosscheck.hazards.HazardNotified"

    hazard_id: Id
    notified_at: AwareDatetime
    notified_by_staff_id: Id
    told_person_name: Name
    signed: bool
    """The person signed the notice; false means they were told but refused or could not sign."""


class RectificationAssigned(_HazardsEvent):
    """A named person must fix the hazard by a deadline (限期整改), followed up by the village."""

    event_type: ClassVar[str] = "crosscheck.hazards.RectificationAssigned"

    hazard_id: Id
    responsible_person_name: Name
    responsible_staff_id: Id | None = None
    """Set when the responsible person is on the township's staff: they may then never
    re-check their own fix (null for private persons, e.g. a shop owner)."""
    supervising_village_id: Id
    """The village committee that follows the hazard up point-to-point (点对点跟踪督办)."""
    deadline: AwareDatetime
    assigned_at: AwareDatetime | None = None
    """When the fix was assigned (v2; null in v1, where only the record time tells)."""


class RectificationReported(_HazardsEvent):
    """The fix was reported done and awaits re-verification on site."""

    event_type: ClassVar[str] = "crosscheck.hazards.RectificationReported"

    hazard_id: Id
    reported_at: AwareDatetime
    note: Text
    evidence_ids: IdList = Field(default_factory=list)


class RectificationVerified(_HazardsEvent):
    """An inspector re-checked the fix on site (现场复核) and closed the hazard (销号)."""

    event_type: ClassVar[str] = "crosscheck.hazards.RectificationVerified"
    schema_version: ClassVar[int] = 4

    hazard_id: Id
    verified_by_staff_id: Id
    verified_at: AwareDatetime
    note: Text | None = None
    evidence_ids: IdList = Field(default_factory=list)
    override_reason: Text | None = None
    """v3: set when a township administrator verified outside the verifier rules (not a
    member of the finding group nor of a later round's group for the zone), and why."""
    presence: Presence | None = None
    """v4: whether the verifier's evidence shows them at the place after the fix was
    reported (null before v4)."""


class RectificationRejected(_HazardsEvent):
    """The on-site re-check failed; the hazard goes back with a new deadline."""

    event_type: ClassVar[str] = "crosscheck.hazards.RectificationRejected"

    hazard_id: Id
    rejected_by_staff_id: Id
    rejected_at: AwareDatetime
    reason: Text
    new_deadline: AwareDatetime

    @model_validator(mode="after")
    def _deadline_ahead(self) -> Self:
        if self.new_deadline <= self.rejected_at:
            raise ValueError("new_deadline must be after rejected_at")
        return self


class DeadlineExtended(_HazardsEvent):
    """The deadline for a fix was moved later, with approval."""

    event_type: ClassVar[str] = "crosscheck.hazards.DeadlineExtended"

    hazard_id: Id
    previous_deadline: AwareDatetime
    new_deadline: AwareDatetime
    reason: Text
    approved_by_staff_id: Id
    extended_at: AwareDatetime | None = None
    """When the extension was granted (v2; null in v1, where only the record time tells)."""

    @model_validator(mode="after")
    def _later(self) -> Self:
        if self.new_deadline <= self.previous_deadline:
            raise ValueError("new_deadline must be after previous_deadline")
        return self


class EscalationCause(StrEnum):
    """Why a hazard was handed up: a code, which readers render in their own words."""

    DECIDED = "decided"  # a person decided it; `reason` gives their words
    MAJOR_HAZARD = "major_hazard"  # 重大隐患挂牌督办: a major hazard goes up when found


class HazardEscalated(_HazardsEvent):
    """Follow-up of the hazard was handed up a level (overdue, major, or refused)."""

    event_type: ClassVar[str] = "crosscheck.hazards.HazardEscalated"
    schema_version: ClassVar[int] = 3

    hazard_id: Id
    level: EscalationLevel
    cause: EscalationCause = EscalationCause.DECIDED
    reason: Text | None = None
    """The words of whoever decided it; null when the cause says it all (v3 and later)."""
    escalated_at: AwareDatetime


class NoticeIssued(_HazardsEvent):
    """An inspection's rectification notice (整改通知书) was issued with a public status
    link, or issued again with a new link after the old one was revoked."""

    event_type: ClassVar[str] = "crosscheck.hazards.NoticeIssued"
    aggregate_field: ClassVar[str] = "inspection_id"
    schema_version: ClassVar[int] = 1

    inspection_id: Id
    hazard_ids: IdList
    """The hazards the notice lists."""
    file_number: Text
    """The notice's number in the township's yearly sequence, e.g. 维的乡互查整改〔2026〕第12号."""
    status_url: Annotated[str, Field(min_length=1, max_length=2000, pattern=r"^https?://")]
    """The public page of the hazards' state the notice's QR code opens: no sign-in, no
    personal data; random, so unguessable, and revocable (it then opens nothing)."""
    issued_at: AwareDatetime


EVENTS: tuple[type[Event], ...] = (
    InspectionCompleted,
    HazardFound,
    HazardNotified,
    RectificationAssigned,
    RectificationReported,
    RectificationVerified,
    RectificationRejected,
    DeadlineExtended,
    HazardEscalated,
    NoticeIssued,
)


def actor_unknown(data: dict[str, Any]) -> dict[str, Any]:
    """Upcaster v1 → v2 of every hazards event: who did a v1 step was not recorded."""
    return data | {"actor": None}


# The text v2 events of a major hazard carried, in either language: read as its cause.
_MAJOR_HAZARD_TEXTS = {
    "重大隐患,提请乡镇党政领导挂牌督办",
    "Major hazard: handed to township leadership for supervision.",
}


def escalation_cause(data: dict[str, Any]) -> dict[str, Any]:
    """Upcaster v2 → v3 of HazardEscalated: the cause, from the text v2 carried."""
    if data.get("reason") in _MAJOR_HAZARD_TEXTS:
        return data | {"cause": EscalationCause.MAJOR_HAZARD.value, "reason": None}
    return data | {"cause": EscalationCause.DECIDED.value}


def no_override(data: dict[str, Any]) -> dict[str, Any]:
    """Upcaster v2 → v3 of RectificationVerified: verifications before v3 were by rule."""
    return data | {"override_reason": None}


def presence_unknown(data: dict[str, Any]) -> dict[str, Any]:
    """Upcaster v2 → v3 of InspectionCompleted and v3 → v4 of RectificationVerified:
    presence was not assessed before."""
    return data | {"presence": None}
