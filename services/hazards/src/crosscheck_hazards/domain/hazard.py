"""The Hazard aggregate: one hazard's closed loop, driven by the table in `states`.

Every command first asks the state machine whether it fits; if not, the error names
the current state and what is allowed. Rules beyond the table (who may verify, which
deadlines are acceptable) are checked after that, before anything is emitted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from crosscheck_contracts.base import Event
from crosscheck_contracts.events.hazards import (
    Actor,
    DeadlineExtended,
    EscalationCause,
    EscalationLevel,
    HazardCategory,
    HazardEscalated,
    HazardFound,
    HazardNotified,
    RectificationAssigned,
    RectificationRejected,
    RectificationReported,
    RectificationVerified,
    Severity,
)
from crosscheck_hazards.domain.deadlines import DeadlinePolicy
from crosscheck_hazards.domain.errors import HazardStateConflict, VerifierNotAllowed
from crosscheck_hazards.domain.presence import PresenceCheck, assess
from crosscheck_hazards.domain.states import ALLOWED, HazardCommand, HazardState
from crosscheck_platform.errors import RuleViolation
from crosscheck_platform.eventstore import Aggregate

_LEVEL_RANK = {
    EscalationLevel.VILLAGE_COMMITTEE: 1,
    EscalationLevel.TOWNSHIP_LEADERSHIP: 2,
    EscalationLevel.COUNTY: 3,
}


@dataclass(frozen=True)
class Finding:
    """What an inspection found for one failed checklist item."""

    hazard_id: str
    inspection_id: str
    campaign_id: str
    round_no: int
    site_id: str
    village_id: str
    group_id: str
    checklist_item_id: str
    category: HazardCategory
    severity: Severity
    description: str
    found_at: datetime
    evidence_ids: tuple[str, ...] = ()
    recurrence_of: str | None = None
    actor: Actor | None = None


@dataclass(frozen=True)
class Verifier:
    """Who asks to verify a fix, and what the service knows that the rules need.

    The rules (现场复核): whoever reported the fix done and the responsible person never
    verify it; the verifier is a member of the group that found the hazard or of a group
    assigned to the hazard's zone in a later round; a township administrator may verify
    outside that rule with a reason, which the event records; a major hazard needs at
    least one photo taken after the fix was reported.
    """

    staff_id: str
    in_eligible_group: bool
    is_admin: bool = False
    override_reason: str | None = None
    presence: PresenceCheck = field(default_factory=PresenceCheck)
    """Where and when the evidence the verifier cites was taken, and the place's
    position and township's rule to compare it with."""

    @property
    def photo_times(self) -> tuple[datetime, ...]:
        """When each photo the verifier cites was taken."""
        return tuple(c.taken_at for c in self.presence.captures if c.is_photo)


class Hazard(Aggregate):
    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.state: HazardState | None = None
        self.found: HazardFound | None = None
        self.deadline: datetime | None = None
        self.responsible_person_name: str | None = None
        self.responsible_staff_id: str | None = None
        self.supervising_village_id: str | None = None
        self.escalation: EscalationLevel | None = None
        self.closed_at: datetime | None = None
        self.rejections = 0
        self.reported_by: Actor | None = None
        self.reported_at: datetime | None = None

    # -- creation -----------------------------------------------------------------

    @classmethod
    def record(cls, finding: Finding) -> Hazard:
        """A new hazard from an inspection; a major one is escalated to township
        leadership at once (重大隐患挂牌督办)."""
        hazard = cls(finding.hazard_id)
        hazard._emit(
            HazardFound(
                hazard_id=finding.hazard_id,
                inspection_id=finding.inspection_id,
                campaign_id=finding.campaign_id,
                round_no=finding.round_no,
                site_id=finding.site_id,
                village_id=finding.village_id,
                group_id=finding.group_id,
                checklist_item_id=finding.checklist_item_id,
                category=finding.category,
                severity=finding.severity,
                description=finding.description,
                found_at=finding.found_at,
                evidence_ids=list(finding.evidence_ids),
                recurrence_of=finding.recurrence_of,
                actor=finding.actor,
            )
        )
        if finding.severity is Severity.MAJOR:
            hazard._emit(
                HazardEscalated(
                    hazard_id=finding.hazard_id,
                    level=EscalationLevel.TOWNSHIP_LEADERSHIP,
                    cause=EscalationCause.MAJOR_HAZARD,
                    escalated_at=finding.found_at,
                    actor=finding.actor,
                )
            )
        return hazard

    # -- the loop -------------------------------------------------------------------

    def notify(
        self,
        *,
        by_staff_id: str,
        told_person_name: str,
        signed: bool,
        at: datetime,
        by: Actor | None = None,
    ) -> None:
        """当场告知: the responsible person was told on the spot, and signed or not."""
        self._require(HazardCommand.NOTIFY)
        self._emit(
            HazardNotified(
                hazard_id=self.id,
                notified_at=at,
                notified_by_staff_id=by_staff_id,
                told_person_name=told_person_name,
                signed=signed,
                actor=by,
            )
        )

    def assign(
        self,
        *,
        responsible_person_name: str,
        supervising_village_id: str,
        at: datetime,
        policy: DeadlinePolicy,
        deadline: datetime | None = None,
        responsible_staff_id: str | None = None,
        by: Actor | None = None,
    ) -> None:
        """限期整改: a named person fixes it by a deadline; the village follows it up."""
        self._require(HazardCommand.ASSIGN)
        due = deadline or policy.default_deadline(self.severity, at)
        _must_be_ahead(due, at)
        self._emit(
            RectificationAssigned(
                hazard_id=self.id,
                responsible_person_name=responsible_person_name,
                responsible_staff_id=responsible_staff_id,
                supervising_village_id=supervising_village_id,
                deadline=due,
                assigned_at=at,
                actor=by,
            )
        )

    def report(
        self,
        *,
        note: str,
        at: datetime,
        evidence_ids: tuple[str, ...] = (),
        by: Actor | None = None,
    ) -> None:
        self._require(HazardCommand.REPORT)
        self._emit(
            RectificationReported(
                hazard_id=self.id,
                reported_at=at,
                note=note,
                evidence_ids=list(evidence_ids),
                actor=by,
            )
        )

    def verify(
        self,
        *,
        verifier: Verifier,
        at: datetime,
        note: str | None = None,
        evidence_ids: tuple[str, ...] = (),
        by: Actor | None = None,
    ) -> None:
        """现场复核 passed: closed (销号). The rules are `Verifier`'s."""
        self._require(HazardCommand.VERIFY)
        self._not_responsible(verifier.staff_id)
        if self.reported_by is not None and verifier.staff_id == self.reported_by.staff_id:
            raise VerifierNotAllowed("hazard.verifier_is_reporter")
        override = self._override(verifier)
        after_report = [
            t for t in verifier.photo_times if self.reported_at and t > self.reported_at
        ]
        if self.severity is Severity.MAJOR and not after_report:
            raise RuleViolation("hazard.major_needs_photo")
        not_before = self.reported_at or (self.found.found_at if self.found else at)
        presence = assess(verifier.presence, not_before=not_before)
        rule = verifier.presence.rule
        if self.severity is Severity.MAJOR and rule.required_for_major and presence.flags:
            raise RuleViolation(
                "hazard.presence_required",
                radius_m=rule.radius_m,
                flags=", ".join(f.value for f in presence.flags),
            )
        self._emit(
            RectificationVerified(
                hazard_id=self.id,
                verified_by_staff_id=verifier.staff_id,
                verified_at=at,
                note=note,
                evidence_ids=list(evidence_ids),
                override_reason=override,
                presence=presence,
                actor=by,
            )
        )

    @staticmethod
    def _override(verifier: Verifier) -> str | None:
        reason = (verifier.override_reason or "").strip() or None
        if reason is not None and not verifier.is_admin:
            raise VerifierNotAllowed("hazard.override_not_admin")
        if verifier.in_eligible_group:
            return reason
        if not verifier.is_admin:
            raise VerifierNotAllowed("hazard.verifier_not_in_group")
        if reason is None:
            raise VerifierNotAllowed("hazard.override_reason_required")
        return reason

    def reject(
        self,
        *,
        by_staff_id: str,
        reason: str,
        at: datetime,
        policy: DeadlinePolicy,
        new_deadline: datetime | None = None,
        by: Actor | None = None,
    ) -> None:
        """现场复核 failed: back to rectification with a new deadline."""
        self._require(HazardCommand.REJECT)
        self._not_responsible(by_staff_id)
        due = new_deadline or policy.default_deadline(self.severity, at)
        _must_be_ahead(due, at)
        self._emit(
            RectificationRejected(
                hazard_id=self.id,
                rejected_by_staff_id=by_staff_id,
                rejected_at=at,
                reason=reason,
                new_deadline=due,
                actor=by,
            )
        )

    def extend(
        self,
        *,
        new_deadline: datetime,
        reason: str,
        approved_by: str,
        at: datetime,
        by: Actor | None = None,
    ) -> None:
        """Move the deadline later; needs a reason and an approver."""
        self._require(HazardCommand.EXTEND)
        assert self.deadline is not None  # every state that allows EXTEND has one
        if new_deadline <= self.deadline:
            raise RuleViolation("hazard.extension_not_later", previous=self.deadline.isoformat())
        _must_be_ahead(new_deadline, at)
        self._emit(
            DeadlineExtended(
                hazard_id=self.id,
                previous_deadline=self.deadline,
                new_deadline=new_deadline,
                reason=reason,
                approved_by_staff_id=approved_by,
                extended_at=at,
                actor=by,
            )
        )

    def escalate(
        self, *, level: EscalationLevel, reason: str, at: datetime, by: Actor | None = None
    ) -> None:
        self._require(HazardCommand.ESCALATE)
        if self.escalation is not None and _LEVEL_RANK[level] <= _LEVEL_RANK[self.escalation]:
            raise RuleViolation("hazard.escalation_not_higher", level=level.value)
        self._emit(
            HazardEscalated(
                hazard_id=self.id, level=level, reason=reason, escalated_at=at, actor=by
            )
        )

    # -- rules ----------------------------------------------------------------------

    @property
    def severity(self) -> Severity:
        assert self.found is not None
        return self.found.severity

    def allowed(self) -> tuple[HazardCommand, ...]:
        return ALLOWED[self.state] if self.state is not None else ()

    def _require(self, command: HazardCommand) -> None:
        if self.state is None or command not in ALLOWED[self.state]:
            allowed = self.allowed()
            raise HazardStateConflict(
                state=self.state.value if self.state else "none",
                command=command.value,
                allowed=", ".join(c.value for c in allowed) or "-",
                allowed_commands=[c.value for c in allowed],
            )

    def _not_responsible(self, staff_id: str) -> None:
        if self.responsible_staff_id is not None and staff_id == self.responsible_staff_id:
            raise VerifierNotAllowed("hazard.verifier_is_responsible")

    # -- state from events ----------------------------------------------------------

    def apply(self, event: Event) -> None:
        match event:
            case HazardFound():
                self.found = event
                self.state = HazardState.FOUND
            case HazardNotified():
                self.state = HazardState.NOTIFIED
            case RectificationAssigned():
                self.state = HazardState.RECTIFYING
                self.deadline = event.deadline
                self.responsible_person_name = event.responsible_person_name
                self.responsible_staff_id = event.responsible_staff_id
                self.supervising_village_id = event.supervising_village_id
            case RectificationReported():
                self.state = HazardState.REPORTED
                self.reported_by = event.actor
                self.reported_at = event.reported_at
            case RectificationVerified():
                self.state = HazardState.VERIFIED
                self.closed_at = event.verified_at
            case RectificationRejected():
                self.state = HazardState.REJECTED
                self.deadline = event.new_deadline
                self.rejections += 1
            case DeadlineExtended():
                self.deadline = event.new_deadline
            case HazardEscalated():
                self.escalation = event.level
            case _:
                raise TypeError(f"a hazard does not apply {type(event).__name__}")


def _must_be_ahead(deadline: datetime, now: datetime) -> None:
    if deadline <= now:
        raise RuleViolation("hazard.deadline_not_ahead")
