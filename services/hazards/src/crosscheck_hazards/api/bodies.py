"""Request bodies of the hazards API. Field types reuse the contracts' bounds."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from crosscheck_contracts.events.hazards import EscalationLevel, HazardCategory, Severity
from crosscheck_contracts.events.registry import SiteType
from crosscheck_contracts.events.rotation import RoundNo
from crosscheck_contracts.fields import AwareDatetime, Id, IdList, Name, Text

Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
"""Why someone decided something (an extension, an escalation, a rejection, an override):
Text that must say something, so blanks alone (a form's untouched field) are refused."""


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AnswerBody(Body):
    item_id: Id
    passed: bool
    severity: Severity | None = None
    description: Text | None = None
    evidence_ids: IdList = Field(default_factory=list)


class RecordInspection(Body):
    campaign_id: Id
    round_no: RoundNo
    site_id: Id
    group_id: Id
    inspected_at: AwareDatetime | None = None
    present_staff_ids: IdList = Field(min_length=1)
    answers: list[AnswerBody] = Field(min_length=1, max_length=500)
    notes: Text | None = None
    override_reason: Reason | None = None
    """Township administrators only: why this is recorded outside the round's plan."""


class Notify(Body):
    told_person_name: Name
    signed: bool


class Assign(Body):
    responsible_person_name: Name
    responsible_staff_id: Id | None = None
    supervising_village_id: Id | None = None
    """Defaults to the village committee of the place."""
    deadline: AwareDatetime | None = None
    """Defaults by severity (configurable)."""


class Report(Body):
    note: Text
    evidence_ids: IdList = Field(default_factory=list)


class Verify(Body):
    note: Text | None = None
    evidence_ids: IdList = Field(default_factory=list)
    override_reason: Reason | None = Field(
        default=None,
        description="a township administrator verifying outside the verifier rules: why "
        "(recorded in the event)",
    )


class Reject(Body):
    reason: Reason
    new_deadline: AwareDatetime | None = None


class Extend(Body):
    new_deadline: AwareDatetime
    reason: Reason


class Escalate(Body):
    level: EscalationLevel
    reason: Reason


class AddTownshipItem(Body):
    key: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,30}$")
    """Short name; the item id becomes t.<township>.<key>."""
    category: HazardCategory
    site_types: list[SiteType] = Field(min_length=1)
    check: Text
    check_en: Text
    hazard: Text
    action: Text
    severity: Severity = Severity.GENERAL
    basis: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] = ""
    """The article a failed check breaches, e.g. 《中华人民共和国消防法》第二十八条."""
