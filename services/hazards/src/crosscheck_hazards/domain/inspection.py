"""The Inspection aggregate: a group checked a place against its checklist in a round.

Recording it yields one `InspectionCompleted` on the inspection's stream and, for every
failed item, a new Hazard (its `HazardFound` on the hazard's own stream). Recurrence is
decided here: a failed item whose previous hazard at the same place was closed is
linked to it, so ledgers can show hazards that came back.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from crosscheck_contracts.base import Event
from crosscheck_contracts.events.hazards import Actor as StepActor
from crosscheck_contracts.events.hazards import InspectionCompleted, NoticeIssued, Severity
from crosscheck_contracts.events.registry import SiteType
from crosscheck_hazards.domain.assignment import (
    Actor,
    RoundPlan,
    check_assignment,
    check_present_staff,
    check_round_open,
)
from crosscheck_hazards.domain.checklists import Checklist
from crosscheck_hazards.domain.errors import InspectionRuleViolation
from crosscheck_hazards.domain.hazard import Finding, Hazard
from crosscheck_hazards.domain.presence import PresenceCheck, assess, start_of_day
from crosscheck_platform.errors import StateConflict
from crosscheck_platform.eventstore import Aggregate


@dataclass(frozen=True)
class Answer:
    item_id: str
    passed: bool
    severity: Severity | None = None
    """For a failed item: overrides the item's default severity."""
    description: str | None = None
    """For a failed item: what exactly was found; defaults to the item's hazard text."""
    evidence_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class SiteFacts:
    """What the base inventory says about the place (from the registry's events)."""

    site_id: str
    village_id: str
    site_type: SiteType
    closed: bool = False


@dataclass(frozen=True)
class InspectionReport:
    inspection_id: str
    campaign_id: str
    round_no: int
    group_id: str
    inspected_at: datetime
    present_staff_ids: tuple[str, ...]
    answers: tuple[Answer, ...]
    override_reason: str | None = None


@dataclass(frozen=True)
class RecordedInspection:
    inspection: Inspection
    hazards: tuple[Hazard, ...]


class Inspection(Aggregate):
    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.completed: InspectionCompleted | None = None
        self.notice: NoticeIssued | None = None

    @property
    def hazard_ids(self) -> list[str]:
        return list(self.completed.hazard_ids) if self.completed else []

    def issue_notice(
        self, *, file_number: str, status_url: str, at: datetime, by: StepActor | None = None
    ) -> None:
        """The rectification notice issued with its public status link (again, with a
        new link, after the previous one was revoked)."""
        if self.completed is None:
            raise StateConflict("inspection.not_found", inspection_id=self.id)
        self._emit(
            NoticeIssued(
                inspection_id=self.id,
                hazard_ids=self.hazard_ids,
                file_number=file_number,
                status_url=status_url,
                issued_at=at,
                actor=by,
            )
        )

    def apply(self, event: Event) -> None:
        match event:
            case InspectionCompleted():
                self.completed = event
            case NoticeIssued():
                self.notice = event
            case _:
                raise TypeError(f"an inspection does not apply {type(event).__name__}")


def record_inspection(
    report: InspectionReport,
    *,
    site: SiteFacts,
    checklist: Checklist,
    plan: RoundPlan,
    actor: Actor,
    now: datetime,
    closed_before: Mapping[str, str],
    new_hazard_id: Callable[[], str],
    recorded_by: StepActor | None = None,
    presence: PresenceCheck | None = None,
) -> RecordedInspection:
    """Check the report and turn it into events. `closed_before` maps checklist item
    ids to the latest closed hazard of this place for that item; `recorded_by` is who
    recorded it, as the events will say; `presence` what is known of where and when the
    findings' evidence was taken (flagged, never refused: a clean inspection has none)."""
    if site.closed:
        raise InspectionRuleViolation("inspection.site_closed", site_id=site.site_id)
    check_round_open(
        plan,
        campaign_id=report.campaign_id,
        round_no=report.round_no,
        actor=actor,
        override_reason=report.override_reason,
    )
    override = check_assignment(
        plan,
        group_id=report.group_id,
        round_no=report.round_no,
        actor=actor,
        override_reason=report.override_reason,
    )
    check_present_staff(
        plan,
        group_id=report.group_id,
        present_staff_ids=report.present_staff_ids,
        override=override,
    )
    if report.inspected_at > now:
        raise InspectionRuleViolation("inspection.in_future")
    _check_answers(report.answers, checklist)
    hazards = []
    for answer in report.answers:
        if answer.passed:
            continue
        item = checklist.item(answer.item_id)
        assert item is not None  # _check_answers saw to it
        finding = Finding(
            hazard_id=new_hazard_id(),
            inspection_id=report.inspection_id,
            campaign_id=report.campaign_id,
            round_no=report.round_no,
            site_id=site.site_id,
            village_id=site.village_id,
            group_id=report.group_id,
            checklist_item_id=item.item_id,
            category=item.category,
            severity=answer.severity or item.severity,
            description=(answer.description or "").strip() or item.hazard,
            found_at=report.inspected_at,
            evidence_ids=answer.evidence_ids,
            recurrence_of=closed_before.get(item.item_id),
            actor=recorded_by,
        )
        hazards.append(Hazard.record(finding))
    inspection = Inspection(report.inspection_id)
    inspection._emit(
        InspectionCompleted(
            inspection_id=report.inspection_id,
            campaign_id=report.campaign_id,
            round_no=report.round_no,
            site_id=site.site_id,
            village_id=site.village_id,
            group_id=report.group_id,
            inspected_at=report.inspected_at,
            present_staff_ids=list(report.present_staff_ids),
            items_checked=len(report.answers),
            items_failed=len(hazards),
            hazard_ids=[h.id for h in hazards],
            override_reason=override,
            presence=assess(
                presence or PresenceCheck(), not_before=start_of_day(report.inspected_at)
            ),
            actor=recorded_by,
        )
    )
    return RecordedInspection(inspection, tuple(hazards))


def ensure_new(existing: Inspection) -> None:
    """One inspection per place per round: a second recording is a conflict."""
    if existing.completed is not None:
        raise StateConflict("inspection.already_recorded", inspection_id=existing.id)


def _check_answers(answers: Sequence[Answer], checklist: Checklist) -> None:
    counts = Counter(a.item_id for a in answers)
    duplicates = sorted(i for i, n in counts.items() if n > 1)
    if duplicates:
        raise InspectionRuleViolation("inspection.duplicate_items", items=", ".join(duplicates))
    expected = set(checklist.item_ids)
    unknown = sorted(set(counts) - expected)
    if unknown:
        raise InspectionRuleViolation("inspection.unknown_items", items=", ".join(unknown))
    missing = [i for i in checklist.item_ids if i not in counts]
    if missing:
        raise InspectionRuleViolation("inspection.missing_items", items=", ".join(missing))
