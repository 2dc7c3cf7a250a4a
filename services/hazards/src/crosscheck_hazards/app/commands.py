"""The rectification loop's commands as typed objects: what the API read from a request
and the token, and what the hazard's state machine is asked to do with it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from crosscheck_contracts.events.hazards import Actor, EscalationLevel
from crosscheck_hazards.domain.deadlines import DeadlinePolicy
from crosscheck_hazards.domain.hazard import Hazard, Verifier
from crosscheck_platform.auth import Forbidden


@dataclass(frozen=True)
class Notify:
    hazard_id: str
    by_staff_id: str
    told_person_name: str
    signed: bool


@dataclass(frozen=True)
class Assign:
    hazard_id: str
    responsible_person_name: str
    responsible_staff_id: str | None = None
    supervising_village_id: str | None = None
    """None: the village of the hazard's place."""
    deadline: datetime | None = None


@dataclass(frozen=True)
class Report:
    hazard_id: str
    note: str
    evidence_ids: tuple[str, ...] = ()
    village_id: str | None = None
    """Set when a village committee reports: only the supervising village may."""


@dataclass(frozen=True)
class Verify:
    hazard_id: str
    verifier: Verifier
    note: str | None = None
    evidence_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Reject:
    hazard_id: str
    by_staff_id: str
    reason: str
    new_deadline: datetime | None = None


@dataclass(frozen=True)
class Extend:
    hazard_id: str
    new_deadline: datetime
    reason: str
    approved_by: str


@dataclass(frozen=True)
class Escalate:
    hazard_id: str
    level: EscalationLevel
    reason: str


HazardCommand = Notify | Assign | Report | Verify | Reject | Extend | Escalate


def cited(command: HazardCommand) -> tuple[str, ...]:
    """The evidence a command cites (readable from then on by the hazard's villages)."""
    return command.evidence_ids if isinstance(command, Report | Verify) else ()


def perform(
    hazard: Hazard, command: HazardCommand, *, at: datetime, policy: DeadlinePolicy, by: Actor
) -> None:
    """Ask the hazard's state machine to do `command` (it raises when it may not)."""
    match command:
        case Notify():
            hazard.notify(
                by_staff_id=command.by_staff_id,
                told_person_name=command.told_person_name,
                signed=command.signed,
                at=at,
                by=by,
            )
        case Assign():
            assert hazard.found is not None
            hazard.assign(
                responsible_person_name=command.responsible_person_name,
                responsible_staff_id=command.responsible_staff_id,
                supervising_village_id=command.supervising_village_id or hazard.found.village_id,
                deadline=command.deadline,
                at=at,
                policy=policy,
                by=by,
            )
        case Report():
            supervising = hazard.supervising_village_id
            if command.village_id is not None and supervising not in (None, command.village_id):
                raise Forbidden("hazard.not_your_village")
            hazard.report(note=command.note, at=at, evidence_ids=command.evidence_ids, by=by)
        case Verify():
            hazard.verify(
                verifier=command.verifier,
                at=at,
                note=command.note,
                evidence_ids=command.evidence_ids,
                by=by,
            )
        case Reject():
            hazard.reject(
                by_staff_id=command.by_staff_id,
                reason=command.reason,
                at=at,
                policy=policy,
                new_deadline=command.new_deadline,
                by=by,
            )
        case Extend():
            hazard.extend(
                new_deadline=command.new_deadline,
                reason=command.reason,
                approved_by=command.approved_by,
                at=at,
                by=by,
            )
        case Escalate():
            hazard.escalate(level=command.level, reason=command.reason, at=at, by=by)
