"""What the notify service knows of a hazard, folded from the hazards events it received.

Events are kept by their version in the hazard's stream and folded in that order, so
the result depends only on which events arrived, never on the order or how often: a
redelivered or late event gives the same facts once the set is complete.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from crosscheck_contracts.base import Event
from crosscheck_contracts.events.hazards import (
    DeadlineExtended,
    EscalationLevel,
    HazardEscalated,
    HazardFound,
    RectificationAssigned,
    RectificationRejected,
    RectificationReported,
    RectificationVerified,
)

RELEVANT: tuple[type[Event], ...] = (
    HazardFound,
    RectificationAssigned,
    RectificationReported,
    RectificationVerified,
    RectificationRejected,
    DeadlineExtended,
    HazardEscalated,
)
"""Hazards events that change what is due; the others are not kept."""


@dataclass(frozen=True)
class Recorded:
    """One hazards event with what the envelope says about it."""

    version: int
    event_id: UUID
    correlation_id: UUID
    occurred_at: datetime
    event: Event


@dataclass(frozen=True)
class Anchor:
    """A moment notices are timed from (a deadline, a report, an escalation) and the
    event that set it: notices of a newer anchor replace those of an older one."""

    at: datetime
    set_at: datetime
    cause: UUID
    correlation: UUID


@dataclass(frozen=True)
class Escalation:
    level: EscalationLevel
    reason: str | None
    """The words of whoever decided it; None when it went up for being major."""
    anchor: Anchor


@dataclass
class HazardFacts:
    hazard_id: str
    township: str
    site_id: str | None = None
    village_id: str | None = None
    group_id: str | None = None
    description: str | None = None
    supervising_village_id: str | None = None
    responsible_person_name: str | None = None
    deadline: Anchor | None = None
    """The running deadline; None while a reported fix awaits re-verification."""
    reported: Anchor | None = None
    """The report that awaits re-verification (现场复核)."""
    escalations: list[Escalation] = field(default_factory=list)
    closed: bool = False


def fold(hazard_id: str, township: str, records: Iterable[Recorded]) -> HazardFacts:
    facts = HazardFacts(hazard_id=hazard_id, township=township)
    by_version = {r.version: r for r in records}
    for version in sorted(by_version):
        _apply(facts, by_version[version])
    return facts


def _anchor(at: datetime, record: Recorded) -> Anchor:
    return Anchor(
        at=at, set_at=record.occurred_at, cause=record.event_id, correlation=record.correlation_id
    )


def _apply(facts: HazardFacts, record: Recorded) -> None:
    event = record.event
    match event:
        case HazardFound():
            facts.site_id = event.site_id
            facts.village_id = event.village_id
            facts.group_id = event.group_id
            facts.description = event.description
        case RectificationAssigned():
            facts.responsible_person_name = event.responsible_person_name
            facts.supervising_village_id = event.supervising_village_id
            facts.deadline = _anchor(event.deadline, record)
            facts.reported = None
        case DeadlineExtended():
            facts.deadline = _anchor(event.new_deadline, record)
        case RectificationReported():
            facts.reported = _anchor(event.reported_at, record)
            facts.deadline = None
        case RectificationRejected():
            # The re-check failed: the loop starts again against a new deadline.
            facts.deadline = Anchor(
                at=event.new_deadline,
                set_at=event.rejected_at,
                cause=record.event_id,
                correlation=record.correlation_id,
            )
            facts.reported = None
        case RectificationVerified():
            facts.closed = True
        case HazardEscalated():
            facts.escalations.append(
                Escalation(event.level, event.reason, _anchor(event.escalated_at, record))
            )
        case _:
            pass  # not about deadlines
