"""The notices a hazard is owed, as a pure function of its facts and the policy.

Each notice has a deterministic id from what it is about (the anchoring event, the
kind, the recipient, the offset), so recomputing the schedule after any event gives
the same ids for the same notices: a stored notice that is no longer planned is
cancelled (verified, or its deadline moved), a planned one not yet stored is added.
The id is also the idempotency key every channel receives.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from crosscheck_contracts.events.hazards import EscalationLevel
from crosscheck_contracts.events.notify import NoticeKind, RecipientRole
from crosscheck_notify.domain.history import Anchor, HazardFacts
from crosscheck_notify.domain.policy import NotifyPolicy
from crosscheck_platform.clock import CHINA_STANDARD_TIME

NOTICE_NAMESPACE = uuid.UUID("6b0f4c1e-3a52-5d55-9b0e-6e6f74696679")

_R = RecipientRole
_K = NoticeKind

_ESCALATED_TO = {
    EscalationLevel.VILLAGE_COMMITTEE: _R.VILLAGE_COMMITTEE,
    EscalationLevel.TOWNSHIP_LEADERSHIP: _R.TOWNSHIP_LEADERSHIP,
    # The county is told by the hazards service's own reporting; the township's
    # leadership still leads the follow-up on the ground.
    EscalationLevel.COUNTY: _R.TOWNSHIP_LEADERSHIP,
}


@dataclass(frozen=True)
class PlannedNotice:
    notice_id: uuid.UUID
    hazard_id: str
    kind: NoticeKind
    recipient: RecipientRole | None
    """None: nobody is told; the worker records RectificationOverdue at `due_at`."""
    recipient_ref: str | None
    """Whom of that role: the place, village committee, group or township id."""
    due_at: datetime
    template: str
    deadline: datetime | None = None
    cause_event_id: uuid.UUID | None = None
    correlation_id: uuid.UUID | None = None
    params: dict[str, str] = field(default_factory=dict)

    @property
    def records_overdue(self) -> bool:
        return self.recipient is None


def plan(facts: HazardFacts, policy: NotifyPolicy) -> list[PlannedNotice]:
    if facts.closed:
        return []
    notices: list[PlannedNotice] = []
    if facts.deadline is not None:
        notices += _deadline_notices(facts, facts.deadline, policy)
    if facts.reported is not None:
        notices += _reverification_notices(facts, facts.reported, policy)
    for escalation in facts.escalations:
        role = _ESCALATED_TO[escalation.level]
        notices.append(
            _notice(
                facts,
                escalation.anchor,
                _K.ESCALATION,
                role,
                escalation.anchor.at,
                "notify.escalated" if escalation.reason else "notify.escalated_major",
                reason=escalation.reason or "",
            )
        )
    return notices


def _deadline_notices(
    facts: HazardFacts, deadline: Anchor, policy: NotifyPolicy
) -> list[PlannedNotice]:
    out: list[PlannedNotice] = []
    for offset in policy.reminder_offsets:
        due = deadline.at - offset
        if due < deadline.set_at:
            continue  # the deadline was set later than this reminder: they were just told
        for role in policy.reminder_recipients:
            out.append(
                _notice(
                    facts,
                    deadline,
                    _K.REMINDER,
                    role,
                    due,
                    "notify.reminder",
                    offset=offset,
                    deadline=deadline.at,
                    days=str(_days(offset)),
                )
            )
    out.append(
        _notice(
            facts, deadline, _K.OVERDUE, None, deadline.at, "notify.overdue", deadline=deadline.at
        )
    )
    for role in policy.overdue_recipients:
        out.append(
            _notice(
                facts,
                deadline,
                _K.OVERDUE,
                role,
                deadline.at,
                "notify.overdue",
                deadline=deadline.at,
            )
        )
    out.append(
        _notice(
            facts,
            deadline,
            _K.ESCALATION,
            _R.TOWNSHIP_LEADERSHIP,
            deadline.at + policy.escalation_grace,
            "notify.escalation_overdue",
            deadline=deadline.at,
            days=str(_days(policy.escalation_grace)),
        )
    )
    return out


def _reverification_notices(
    facts: HazardFacts, reported: Anchor, policy: NotifyPolicy
) -> list[PlannedNotice]:
    remind_at = reported.at + policy.reverification_after
    days = str(_days(policy.reverification_after))
    return [
        _notice(
            facts,
            reported,
            _K.REVERIFICATION_REMINDER,
            _R.INSPECTING_GROUP,
            remind_at,
            "notify.reverification",
            days=days,
        ),
        _notice(
            facts,
            reported,
            _K.ESCALATION,
            _R.TOWNSHIP_LEADERSHIP,
            remind_at + policy.reverification_grace,
            "notify.escalation_reverification",
            days=str(_days(policy.reverification_after + policy.reverification_grace)),
        ),
    ]


def _notice(
    facts: HazardFacts,
    anchor: Anchor,
    kind: NoticeKind,
    role: RecipientRole | None,
    due: datetime,
    template: str,
    *,
    offset: timedelta = timedelta(0),
    deadline: datetime | None = None,
    **params: str,
) -> PlannedNotice:
    key = "|".join(
        (
            facts.hazard_id,
            str(anchor.cause),
            kind.value,
            role.value if role else "record",
            str(int(offset.total_seconds())),
        )
    )
    return PlannedNotice(
        notice_id=uuid.uuid5(NOTICE_NAMESPACE, key),
        hazard_id=facts.hazard_id,
        kind=kind,
        recipient=role,
        recipient_ref=_recipient_ref(facts, role),
        due_at=due,
        template=template,
        deadline=deadline,
        cause_event_id=anchor.cause,
        correlation_id=anchor.correlation,
        params={
            "hazard_id": facts.hazard_id,
            "site_id": facts.site_id or "",
            "description": facts.description or "",
            "person": facts.responsible_person_name or "",
            "deadline": local_minute(deadline) if deadline else "",
            "anchor": local_minute(anchor.at),
            **params,
        },
    )


def _recipient_ref(facts: HazardFacts, role: RecipientRole | None) -> str | None:
    match role:
        case _R.RESPONSIBLE_PERSON:
            return facts.site_id
        case _R.VILLAGE_COMMITTEE:
            return facts.supervising_village_id or facts.village_id
        case _R.INSPECTING_GROUP:
            return facts.group_id
        case _R.TOWNSHIP_LEADERSHIP:
            return facts.township
        case _:
            return None


def _days(span: timedelta) -> int:
    return max(1, round(span / timedelta(days=1)))


def local_minute(at: datetime) -> str:
    """A time as people read it on a notice: local (Asia/Shanghai), to the minute."""
    return at.astimezone(CHINA_STANDARD_TIME).strftime("%Y-%m-%d %H:%M")
