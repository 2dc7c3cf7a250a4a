"""Shared helpers for the hazards domain tests: a hazard in any state, any command."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from crosscheck_contracts.base import Event
from crosscheck_contracts.events.hazards import EscalationLevel, HazardCategory, Severity
from crosscheck_hazards.domain.deadlines import DeadlinePolicy
from crosscheck_hazards.domain.hazard import Finding, Hazard, Verifier
from crosscheck_hazards.domain.presence import Capture, PresenceCheck
from crosscheck_hazards.domain.states import HazardCommand, HazardState
from crosscheck_platform.clock import ManualClock

START = datetime(2025, 3, 3, 2, 0, tzinfo=UTC)  # 10:00 in Asia/Shanghai
POLICY = DeadlinePolicy(general_days=7, major_days=30)
RESPONSIBLE_STAFF = "staff-responsible"
VERIFIER = "staff-verifier"

PATH: dict[HazardState, list[HazardCommand]] = {
    HazardState.FOUND: [],
    HazardState.NOTIFIED: [HazardCommand.NOTIFY],
    HazardState.RECTIFYING: [HazardCommand.NOTIFY, HazardCommand.ASSIGN],
    HazardState.REPORTED: [HazardCommand.NOTIFY, HazardCommand.ASSIGN, HazardCommand.REPORT],
    HazardState.REJECTED: [
        HazardCommand.NOTIFY,
        HazardCommand.ASSIGN,
        HazardCommand.REPORT,
        HazardCommand.REJECT,
    ],
    HazardState.VERIFIED: [
        HazardCommand.NOTIFY,
        HazardCommand.ASSIGN,
        HazardCommand.REPORT,
        HazardCommand.VERIFY,
    ],
}


def finding(severity: Severity = Severity.GENERAL, **changes: object) -> Finding:
    values: dict[str, object] = {
        "hazard_id": "hz-1",
        "inspection_id": "in-1",
        "campaign_id": "c-1",
        "round_no": 1,
        "site_id": "site-1",
        "village_id": "v-1",
        "group_id": "g-1",
        "checklist_item_id": "fire.extinguisher",
        "category": HazardCategory.FIRE_SAFETY,
        "severity": severity,
        "description": "灭火器过期",
        "found_at": START,
    }
    values.update(changes)
    return Finding(**values)  # type: ignore[arg-type]


def perform(hazard: Hazard, command: HazardCommand, clock: ManualClock) -> None:
    """Issue `command` with valid arguments, an hour after the previous one."""
    clock.advance(timedelta(hours=1))
    now = clock()
    match command:
        case HazardCommand.NOTIFY:
            hazard.notify(by_staff_id="staff-1", told_person_name="李四", signed=True, at=now)
        case HazardCommand.ASSIGN:
            hazard.assign(
                responsible_person_name="李四",
                responsible_staff_id=RESPONSIBLE_STAFF,
                supervising_village_id="v-1",
                at=now,
                policy=POLICY,
            )
        case HazardCommand.REPORT:
            hazard.report(note="已更换灭火器", at=now)
        case HazardCommand.VERIFY:
            hazard.verify(
                verifier=Verifier(VERIFIER, in_eligible_group=True, presence=photos_at(now)), at=now
            )
        case HazardCommand.REJECT:
            hazard.reject(by_staff_id=VERIFIER, reason="仍未更换", at=now, policy=POLICY)
        case HazardCommand.EXTEND:
            base = hazard.deadline or now + timedelta(days=60)
            hazard.extend(
                new_deadline=base + timedelta(days=3),
                reason="等待配件",
                approved_by="staff-admin",
                at=now,
            )
        case HazardCommand.ESCALATE:
            hazard.escalate(level=EscalationLevel.COUNTY, reason="久拖不改", at=now)


def hazard_in(state: HazardState, clock: ManualClock | None = None) -> Hazard:
    return hazard_with_history(state, clock)[0]


def hazard_with_history(
    state: HazardState, clock: ManualClock | None = None
) -> tuple[Hazard, list[Event]]:
    """A hazard brought to `state` by valid commands, and the events that did it."""
    clock = clock or ManualClock(START)
    hazard = Hazard.record(finding())
    for command in PATH[state]:
        perform(hazard, command, clock)
    return hazard, hazard.collect_pending()[1]


def photos_at(*times: datetime) -> PresenceCheck:
    """Photos taken at `times`, where nothing else is known of them."""
    return PresenceCheck(
        captures=tuple(Capture(f"photo-{i}", t, "upload") for i, t in enumerate(times))
    )
